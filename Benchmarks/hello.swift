// The start-up floor for `Benchmarks/startup.py`: a Swift program that prints one line, built
// with the static standard library as twvoice is.
print("hello")
