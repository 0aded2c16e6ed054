module stacklab/results

go 1.26.8
