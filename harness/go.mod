module stacklab/harness

go 1.26.8
