"""The versioned public JSON API (/api/v1): the same visibility and the same workflow services
as the pages, for scripts and partner systems holding a personal API token."""
