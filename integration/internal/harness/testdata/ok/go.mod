module ok

go 1.26.8
