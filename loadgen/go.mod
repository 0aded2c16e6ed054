module stacklab/loadgen

go 1.26.8
