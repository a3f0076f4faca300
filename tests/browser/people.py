"""People in browsers, each in their own context: how they sign in, tap or click, follow a
link, lose their network (in a live meeting) or watch a page follow others' changes (a
register's live region). Shared by the browser tests; the personas' rows are made with
tests/factories.py."""

import re

from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from tests.factories import PASSWORD

# Evelyn observes the demo alliance (`manage.py seed_demo`): the report and summary tests.
EVELYN = "evelyn@harvest-food.example"
# A live region asks for a newer version every 5 s; it can take up to two rounds (the poll
# may be under way as the change is saved), and a round is a request to the server.
POLL_MS = 5_000
FOLLOWS_MS = 15_000


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


def follow(page, locator, viewport):
    with page.expect_navigation():
        press(locator, viewport)


def sign_in_to(page, target_url, email, viewport):
    """Follow a link to a page of the app while signed out: sign in, land on that page."""
    page.goto(target_url)
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Accord")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    follow(page, page.get_by_role("button", name="Sign in"), viewport)
    expect(page).to_have_url(target_url)


class Member:
    """A member's browser context, its page, and the clock that drives the page's polling."""

    def __init__(self, new_context, viewport, email, errors):
        self.viewport = viewport
        self.email = email
        self.context = new_context(viewport)
        self.page = self.context.new_page()
        # Fake timers, flowing as real ones do until the test moves them on.
        self.page.clock.install()
        self.page.on("pageerror", lambda error: errors.append(f"{email}: {error}"))

    def press(self, locator):
        """A tap on a phone, a click elsewhere."""
        if self.viewport == "phone":
            locator.tap()
        else:
            locator.click()

    def follow(self, locator):
        with self.page.expect_navigation():
            self.press(locator)

    def sign_in_to(self, url):
        """Open a page of the app while signed out: sign in, land on that page."""
        page = self.page
        page.goto(url)
        expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next="))
        page.get_by_label("Email address").fill(self.email)
        page.get_by_label("Password").fill(PASSWORD)
        self.follow(page.get_by_role("button", name="Sign in"))
        expect(page).to_have_url(url)

    def mark_the_page(self):
        """Leave a mark in the page's window: a reload or a navigation would wipe it."""
        self.page.evaluate("window.accordTestMark = 'still the same page'")

    def assert_not_reloaded(self):
        assert self.page.evaluate("window.accordTestMark") == "still the same page"

    def poll(self):
        """Move the page's clock past the live region's next round of polling."""
        self.page.clock.run_for(POLL_MS)
