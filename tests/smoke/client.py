"""A small HTTP client that uses the site as a browser does: cookies, the forms on the page
(with their CSRF token and every default value), redirects followed one by one. Every answer
is checked on the spot: a 5xx fails the test with the server's own output beside it."""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def option_value(self, name: str, text: str) -> str:
        """The value of the <option> of select `name` whose label contains `text`."""
        for value, label in self.options.get(name, []):
            if text in label:
                return value
        raise AssertionError(f"no option {text!r} in {name}: {self.options.get(name)}")


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._select_first: tuple[str, str] | None = None
        self._select_chosen: str | None = None
        self._option: list | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(attrs.get("action", ""), attrs.get("method", "get").lower()))
        if not self.forms:
            return
        form = self.forms[-1]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image"):
                form.buttons.append((name, attrs.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    form.fields.append((name, attrs.get("value", "on")))
            else:
                form.fields.append((name, attrs.get("value", "")))
        elif tag == "button" and name:
            form.buttons.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, None
            form.options[name] = []
        elif tag == "option" and self._select:
            self._option = [attrs.get("value"), "", "selected" in attrs]
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if not self.forms:
            return
        form = self.forms[-1]
        if tag == "option" and self._option is not None:
            value, text, selected = self._option
            value = text.strip() if value is None else value
            form.options[self._select].append((value, text.strip()))
            if self._select_first is None:
                self._select_first = value
            if selected:
                self._select_chosen = value
            self._option = None
        elif tag == "select" and self._select:
            chosen = self._select_chosen if self._select_chosen is not None \
                else self._select_first
            if chosen is not None:
                form.fields.append((self._select, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            form.fields.append((name, text.removeprefix("\n")))
            self._textarea = None


def parse_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


@dataclass
class Response:
    status: int
    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.url).path

    def form(self, action: str | None = None) -> Form:
        """The form posting to `action` (a path), or the page's only form posting to itself."""
        forms = parse_forms(self.text)
        for form in forms:
            target = urllib.parse.urlsplit(urllib.parse.urljoin(self.url, form.action)).path
            if form.method == "post" and target == (action or self.path):
                return form
        raise AssertionError(f"no form posting to {action or self.path} on {self.url} "
                             f"({self.status}); forms: {[f.action for f in forms]}")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One person's browser. `on_5xx` adds what the server printed to a failure."""

    def __init__(self, base_url: str, *, language: str = "en", on_5xx=lambda: ""):
        self.base_url = base_url.rstrip("/")
        self.language = language
        self.on_5xx = on_5xx
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects())
        self.seen: list[tuple[str, str, int]] = []

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def request(self, method: str, path: str, data: list | dict | None = None, *,
                follow: bool = True, headers: dict | None = None, allow: tuple = (),
                timeout: float = 60) -> Response:
        """One request (and its redirects); a 5xx not in `allow` fails the test at once."""
        url = self.url(path)
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        while True:
            request = urllib.request.Request(  # noqa: S310 — our own http:// server
                url, data=body, method=method, headers={
                    "Accept-Language": self.language, "Accept": "text/html", **(headers or {})})
            try:
                with self.opener.open(request, timeout=timeout) as raw:
                    response = Response(raw.status, url, dict(raw.headers), raw.read())
            except urllib.error.HTTPError as error:
                response = Response(error.code, url, dict(error.headers), error.read())
            self.seen.append((method, url, response.status))
            assert response.status < 500 or response.status in allow, (
                f"{method} {url} answered {response.status}:\n{response.text[:3000]}\n"
                f"--- server output ---\n{self.on_5xx()}")
            location = response.headers.get("Location")
            if not (follow and location and response.status in (301, 302, 303, 307, 308)):
                return response
            url, method, body = urllib.parse.urljoin(url, location), "GET", None

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def submit(self, page: str | Response, action: str | None = None,
               data: dict | None = None, *, button: str | None = None) -> Response:
        """Open `page` (or use the one given), fill the form posting to `action` like a person
        would (its defaults and CSRF token, then `data`), press `button` and follow on."""
        if not isinstance(page, Response):
            page = self.get(page)
            assert page.status == 200, f"{page.url} answered {page.status}"
        form = page.form(action)
        data = data or {}
        fields = [(k, v) for k, v in form.fields if k not in data]
        fields += [(k, str(v)) for k, v in data.items()]
        if button:
            fields += [b for b in form.buttons if b[0] == button] or [(button, "")]
        target = urllib.parse.urljoin(page.url, form.action or page.url)
        return self.request("POST", target, fields)

    def sign_in(self, email: str, password: str) -> Response:
        response = self.submit("/signin", data={"email": email, "password": password})
        assert response.status == 200, f"signing in as {email}: {response.status}"
        assert 'action="/signout"' in response.text, f"{email} not signed in: {response.text}"
        return response
