"""Every screen works in English and Spanish: the browser's language is followed, a person
can switch language from any page, and the Spanish catalogue is complete and compiled."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests import pages

LOCALE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"
SIGN_IN = "/accounts/sign-in/"

# %(name)s and %(n)d, {used} (brace format), and HTML tags such as <strong>.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w+\}|</?[a-z]+[^>]*>")


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file: each a dict of msgid, msgid_plural, msgstr or msgstr[n],
    with the strings unquoted and joined, and its flags (the "#," comment)."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict = {"flags": set()}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#~"):
                key = None  # an obsolete entry: not part of the catalogue
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if key:
                    entry[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def plural_count(entries: list[dict]) -> int:
    header = next(e for e in entries if e["msgid"] == "")
    return int(re.search(r"nplurals\s*=\s*(\d+)", header["msgstr"]).group(1))


def translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


ENTRIES = parse_po(PO)
MESSAGES = [e for e in ENTRIES if e["msgid"]]


def test_sign_in_page_follows_the_browser_language(client, db):
    response = client.get(SIGN_IN, HTTP_ACCEPT_LANGUAGE="es")

    text = pages.text(response)
    assert '<html lang="es">' in response.content.decode()
    assert "Iniciar sesión en Accord" in text  # the heading
    assert '<button type="submit" class="button">Iniciar sesión</button>' in (
        response.content.decode()
    )
    assert "Sign in to Accord" not in text


def test_sign_in_page_is_in_english_by_default(client, db):
    text = pages.text(client.get(SIGN_IN))

    assert "Sign in to Accord" in text
    assert "Iniciar sesión" not in text


def test_every_page_offers_a_labelled_language_switcher(client, db):
    html = client.get(SIGN_IN).content.decode()

    assert f'action="{reverse("set_language")}"' in html
    assert '<label for="language-select">Language</label>' in html
    assert '<select id="language-select" name="language">' in html
    assert f'<input type="hidden" name="next" value="{SIGN_IN}">' in html
    assert '<option value="en" lang="en" selected>English</option>' in html
    assert '<option value="es" lang="es">Español</option>' in html
    assert "Change language" in html


def test_switching_language_sets_the_cookie_and_the_next_page_is_in_spanish(client, db):
    response = client.post(reverse("set_language"), {"language": "es", "next": SIGN_IN})

    assert response.status_code == 302
    assert response.url == SIGN_IN
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get(response.url)
    assert "Iniciar sesión en Accord" in pages.text(page)
    assert '<option value="es" lang="es" selected>Español</option>' in page.content.decode()

    # And back again, whatever the browser asks for.
    client.post(reverse("set_language"), {"language": "en", "next": SIGN_IN})
    page = client.get(SIGN_IN, HTTP_ACCEPT_LANGUAGE="es")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Sign in to Accord" in pages.text(page)


def test_switching_language_never_leads_off_the_site(client, db):
    response = client.post(
        reverse("set_language"), {"language": "es", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert not response.url.startswith("https://evil.example")


def test_the_catalogue_has_a_header_and_messages():
    assert plural_count(ENTRIES) >= 2
    assert len(MESSAGES) > 100


def untranslated(entries: list[dict]) -> list[str]:
    """The msgids that are fuzzy, or lack a translation or one of their plural forms."""
    nplurals = plural_count(entries)
    missing = []
    for entry in entries:
        if not entry["msgid"]:
            continue
        if "msgid_plural" in entry:
            done = all(entry.get(f"msgstr[{n}]") for n in range(nplurals))
        else:
            done = bool(entry.get("msgstr"))
        if "fuzzy" in entry["flags"] or not done:
            missing.append(entry["msgid"])
    return missing


def lost_placeholders(entries: list[dict]) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs whose placeholders or HTML tags differ: each must be kept, and
    none invented (an unknown name would fail to format)."""
    wrong = []
    for entry in entries:
        if not entry["msgid"]:
            continue
        expected = set(PLACEHOLDER.findall(entry["msgid"]))
        expected |= set(PLACEHOLDER.findall(entry.get("msgid_plural", "")))
        for translation in translations(entry):
            if set(PLACEHOLDER.findall(translation)) != expected:
                wrong.append((entry["msgid"], translation))
    return wrong


def test_every_message_is_translated():
    assert untranslated(ENTRIES) == []


TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_language_of_the_site_has_every_message_translated_and_compiled(code):
    """A language added to LANGUAGES without its whole catalogue fails here."""
    folder = Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES"
    assert (folder / "django.po").exists(), f"{code}: no catalogue; run make messages"
    assert (folder / "django.mo").exists(), f"{code}: not compiled; run make messages"
    entries = parse_po(folder / "django.po")
    assert untranslated(entries) == []
    assert lost_placeholders(entries) == []
    assert {e["msgid"] for e in entries} >= {e["msgid"] for e in MESSAGES}


def test_every_placeholder_is_kept():
    assert lost_placeholders(ENTRIES) == []


def test_the_checks_catch_a_missing_translation_or_placeholder(tmp_path):
    header = PO.read_text(encoding="utf-8").split("\n\n")[0]
    nplurals = plural_count(ENTRIES)
    # A plural entry with every form but whose first form drops %(n)s, and one lacking its
    # last form.
    forms = ['msgstr[0] "una respuesta"'] + [
        f'msgstr[{n}] "%(n)s respuestas"' for n in range(1, nplurals)
    ]
    po = tmp_path / "django.po"
    po.write_text(
        "\n\n".join(
            [
                header,
                'msgid "Save"\nmsgstr ""',
                '#, fuzzy\nmsgid "Edit"\nmsgstr "Editar"',
                'msgid "%(n)s answer"\nmsgid_plural "%(n)s answers"\n' + "\n".join(forms),
                'msgid "%(n)s person"\nmsgid_plural "%(n)s people"\n' + "\n".join(forms[1:-1]),
            ]
        ),
        encoding="utf-8",
    )
    entries = parse_po(po)

    assert untranslated(entries) == ["Save", "Edit", "%(n)s person"]
    assert lost_placeholders(entries) == [("%(n)s answer", "una respuesta")]


def test_the_header_is_not_fuzzy():
    header = next(e for e in ENTRIES if e["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: es" in header["msgstr"]


def test_the_compiled_catalogue_matches_the_po_file():
    # The .mo is committed (CI may have no gettext): it must be compiled from this .po.
    with MO.open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog
    for entry in MESSAGES:
        # gettext keys a message with a context as "context\x04message".
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            for n in range(plural_count(ENTRIES)):
                assert catalog.get((msgid, n)) == entry[f"msgstr[{n}]"], msgid
        else:
            assert catalog.get(msgid) == entry["msgstr"], msgid
