"""The accessibility statement: public, linked from every page's footer, in both languages,
naming the standard, the tests, the known exceptions and the site's contact address."""


def test_statement_is_public_and_linked_from_the_footer(app, client):
    app.config["CONTACT_EMAIL"] = "access@example.org"
    home = client.get("/").get_data(as_text=True)
    assert 'href="/accessibility"' in home.split('class="site-footer"', 1)[1]
    page = client.get("/accessibility")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for words in ("WCAG) 2.2 at level AA", "axe-core", "keyboard alone", "390 px",
                  "Known exceptions", 'href="mailto:access@example.org"'):
        assert words in text


def test_statement_in_russian(client):
    page = client.get("/accessibility", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    text = page.get_data(as_text=True)
    assert 'lang="ru"' in text
    assert "Заявление о доступности" in text
    assert "Известные исключения" in text
    assert "Доступность" in text.split('class="site-footer"', 1)[1]
