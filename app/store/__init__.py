"""Persistence: engine, ORM models, migrations, repositories and the in-memory search index.

Nothing here knows about images, models or HTTP; services decide transactions and translate absence into errors.
"""
