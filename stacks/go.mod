module stacklab/stacks

go 1.26.8

require stacklab/ledgerspec v0.0.0

replace stacklab/ledgerspec => ../ledgerspec
