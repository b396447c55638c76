"""The outbox: every mail is a row written in the same transaction as the change that causes
it, and a worker (Huey consumer, `flask worker`) delivers the rows with a socket timeout,
retries with backoff over more than a day, and claims rows so that no two workers send one
message. Reminders and nudges are periodic work of the same worker."""
