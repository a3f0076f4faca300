"""A live meeting's pages, one module per page group (ARCHITECTURE.md, "Where to add
things"): planning, the live page, steering, participants' work, and the projector."""
