"""Events: the transactional outbox (every change, written with it) and, later, their
delivery to webhook endpoints."""
