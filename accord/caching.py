"""Every page and file Accord makes is for the person who asked, so no shared cache (a
proxy, a CDN) may keep it for the next visitor; static files are not concerned (ServeStatic
answers them before this middleware runs). One exception, which a view asks for: what any
website may embed (a published chart and its card, `accord.embedding.embeddable`) is public,
unless the response sets a cookie."""

from django.utils.cache import patch_cache_control


def private_responses(get_response):
    def middleware(request):
        response = get_response(request)
        if getattr(response, "shared_cache", False) and not response.cookies:
            return response
        # In one place rather than per view: a page shows a person's name, alliances and
        # CSRF token, or an alliance's data, and a new view must not be able to forget it.
        patch_cache_control(response, private=True)
        if response.has_header("Content-Disposition"):
            # A download (an export holds everyone's address; an agreement is the
            # alliance's): not kept on the device either, which may be shared.
            patch_cache_control(response, no_store=True)
        return response

    return middleware
