"""Webhooks: a partner's admins and coordinators register HTTPS endpoints, and every scheduled,
changed or cancelled event and every confirmed or cancelled registration of an event that
partner takes part in is POSTed there, signed the Standard Webhooks way. Deliveries are rows
written in the same transaction as the change (like the outbox) and sent by the worker."""
