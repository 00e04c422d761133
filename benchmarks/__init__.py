"""Performance benchmarks (DESIGN §7): plain scripts run by `make bench`, never by pytest timing."""
