"""Money and the end of a contract: payments, enforcement, stop-service notices, termination."""
