"""The web library: FastAPI routes and Jinja2 pages over the Library API (see app.create_app)."""
