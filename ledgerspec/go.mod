module stacklab/ledgerspec

go 1.26.8
