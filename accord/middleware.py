"""A strict Content-Security-Policy: templates carry no inline script or style."""

DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def policy(**changes: str) -> str:
    """The site's policy, with some directives changed (`frame_ancestors="*"`)."""
    directives = DIRECTIVES | {name.replace("_", "-"): value for name, value in changes.items()}
    return "; ".join(f"{name} {value}" for name, value in directives.items())


POLICY = policy()


def content_security_policy(get_response):
    def middleware(request):
        response = get_response(request)
        # A view may have set a policy of its own (accord.embedding): it is kept.
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response

    return middleware
