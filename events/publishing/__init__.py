"""Publishing on other websites: Atom feeds, schema.org JSON-LD and Open Graph on event pages,
and the embeddable agenda widget."""
