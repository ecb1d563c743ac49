module seccomp-sigfwd/go

go 1.19
