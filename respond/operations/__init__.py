"""Running the service: metrics for Prometheus, structured logs, and the counters they share across processes."""
