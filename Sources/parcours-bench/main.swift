// Benchmarks: `make bench`. Each suite measures Parcours beside a reference measured in the same run.
print("parcours-bench: no suites yet")
