"""People in a live meeting, each in their own browser context: how they sign in, tap or
click, and lose their network. Shared by the browser tests of meetings."""

import re

from django.conf import settings as django_settings
from django.test import Client


def sign_in(context, base_url, user):
    """Give the browser context the session cookie of a signed-in `user`."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def press(locator, viewport):
    """A tap on a phone, a click elsewhere."""
    if viewport == "phone":
        locator.tap()
    else:
        locator.click()


def fits_the_screen(page) -> bool:
    """Nothing sticks out sideways: the page needs no horizontal scrolling."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


class Cable:
    """A participant's network, which the test can pull out and plug back in.

    Playwright's offline mode fails new requests but leaves open WebSockets running
    (microsoft/playwright#4910), so the page's sockets go through a route: pulling the
    cable closes them and makes the page offline; while it is out, each new socket the
    page opens is closed at once, as a network that is down would."""

    def __init__(self, context):
        self.context = context
        self.out = False
        self.routes = []
        context.route_web_socket(re.compile(r"/ws/"), self._route)

    def _route(self, route):
        if self.out:
            route.close(code=1006, reason="The network is down.")
            return
        route.connect_to_server()
        self.routes.append(route)

    def pull(self):
        self.out = True
        self.context.set_offline(True)
        for route in self.routes:
            route.close(code=1006, reason="The network is down.")
        self.routes.clear()

    def plug_in(self):
        self.out = False
        self.context.set_offline(False)


class Person:
    """One person's browser context and their meeting page."""

    def __init__(self, name, new_context, viewport, errors, cable=False):
        self.name = name
        self.viewport = viewport
        self.context = new_context(viewport)
        self.cable = Cable(self.context) if cable else None
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: errors.append(f"{name}: {error}"))

    @property
    def where(self):
        return self.page.locator("#stage .stage__where")

    @property
    def stage(self):
        return self.page.locator("#stage")

    def press(self, locator):
        press(locator, self.viewport)


def label(text: str):
    """A button's accessible name that starts with `text` (a button may say more after,
    as *Next* says where it leads)."""
    return re.compile("^" + re.escape(text) + r"(\s|$)")
