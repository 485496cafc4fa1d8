"""The web interface in Chromium, as a person uses it: log in, create an account and a
contact, find them by global search, filter a list, make a quote with two lines and watch
its totals, convert it into an invoice, issue it, download its PDF, record a payment, open
the dashboard, change language, log out; and what a browser must refuse or escape.

The screenshots of docs/ui/ are taken here (see `screenshot`)."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect

from tests.conftest import ADMIN_PASSWORD, INSTANCE

from .conftest import screenshot

BASE = f"/{INSTANCE}"


def log_in(page: Page, name: str = "admin", password: str = ADMIN_PASSWORD,
           shot: str | None = None) -> None:
    page.goto(f"{BASE}/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("User name or email").fill(name)
    page.get_by_label("Password").fill(password)
    if shot:
        screenshot(page, shot)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def record_id(page: Page) -> int:
    found = re.search(r"/ui/[A-Za-z]+/([0-9]+)", page.url)
    assert found, page.url
    return int(found.group(1))


def field(page: Page, name: str) -> object:
    return page.locator(f"#field-{name}")


def test_a_sale_from_account_to_payment(page: Page) -> None:
    suffix = secrets.token_hex(3)
    shop = f"Fromagerie Durand {suffix}"
    # given: a logged-in person on the dashboard
    log_in(page, shot="login")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    # an account, then a contact of it, its account picked by search-as-you-type
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Organizations").click()
    page.get_by_role("link", name="New", exact=True).click()
    page.locator("#field-lastname").fill(shop)
    page.locator("#field-email").fill(f"contact-{suffix}@fromagerie.example")
    screenshot(page, "account-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=shop)).to_be_visible()
    account = record_id(page)
    screenshot(page, "account")

    page.goto(f"{BASE}/ui/Contacts/new")
    page.locator("#field-firstname").fill("Camille")
    page.locator("#field-lastname").fill(f"Durand {suffix}")
    reference = page.locator("#field-account")
    reference.press_sequentially(f"Durand {suffix}", delay=20)
    option = page.locator("#dl-account option").first
    expect(option).to_have_attribute("value", f"{shop} #{account}")
    reference.fill(f"{shop} #{account}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name=shop)).to_be_visible()

    # global search finds both as one types
    search = page.get_by_role("searchbox", name="Search")
    search.press_sequentially(f"durand {suffix}", delay=30)
    results = page.locator("header .search-results")
    expect(results.get_by_role("link", name=re.compile(shop))).to_be_visible()
    expect(results.get_by_role("link", name=re.compile(f"Durand {suffix}, Camille"))).to_be_visible()
    screenshot(page, "search", full_page=False)
    results.get_by_role("link", name=re.compile(shop)).click()
    expect(page.get_by_role("heading", name=shop)).to_be_visible()

    # a filtered list
    page.goto(f"{BASE}/ui/Accounts")
    page.get_by_text("Filters and columns").click()
    page.get_by_role("textbox", name="Organization Name").fill(suffix)
    page.get_by_role("button", name="Apply").first.click()
    rows = page.locator("table.records tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(shop)
    screenshot(page, "list")

    # a quote with two lines: the totals follow the typing, computed by the server
    page.goto(f"{BASE}/ui/Quotes/new")
    page.locator("#field-subject").fill("Plateaux pour le salon")
    page.locator("#field-account").fill(f"{shop} #{account}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Lines")).to_be_visible()
    page.locator("#line-0-description").fill("Plateau de fromages")
    page.locator("#line-0-quantity").fill("2")
    page.locator("#line-0-listprice").fill("45")
    page.locator("#line-1-description").fill("Livraison")
    page.locator("#line-1-quantity").fill("1")
    page.locator("#line-1-listprice").fill("15")
    expect(page.locator("#totals .total-gross")).to_have_text("126.00")  # (90 + 15) x 1.2
    expect(page.locator("#totals .total-net")).to_have_text("105.00")
    page.get_by_role("button", name="Save lines").click()
    expect(page.locator("#totals .total-gross")).to_have_text("126.00")
    screenshot(page, "quote")

    # issue it, convert it into an invoice, issue that
    page.get_by_role("button", name="Issue").click()
    expect(page.get_by_role("status")).to_contain_text("issue")
    page.get_by_role("button", name="Convert to invoice").click()
    expect(page.get_by_text("Invoice", exact=True).first).to_be_visible()
    expect(page.locator("#totals .total-gross")).to_have_text("126.00")
    page.get_by_role("button", name="Issue").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^FA-"))
    invoice = record_id(page)

    # its PDF, the legal copy
    pdf = page.context.request.get(f"{BASE}/ui/Invoice/{invoice}/pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # a payment settles it
    page.locator("#action-payment-amount").fill("126.00")
    page.locator("#action-payment").get_by_role("button", name="Record a payment").click()
    expect(page.get_by_role("status")).to_contain_text("record a payment")
    expect(page.locator("dd", has_text="Paid").first).to_be_visible()
    screenshot(page, "invoice")

    # the dashboard counts the invoice in this month's turnover
    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.locator("#widget-turnover")).to_be_visible()
    screenshot(page, "dashboard")

    # switch to French and back to English
    page.goto(f"{BASE}/preferences")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    # log out: the pages send to the log-in form again
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(f"{BASE}/ui/Invoice/{invoice}")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_a_script_typed_in_a_field_never_runs(page: Page) -> None:
    log_in(page)
    page.goto(f"{BASE}/ui/Accounts/new")
    page.locator("#field-lastname").fill("<img src=x onerror=\"window.__pwned=1\">"
                                         "<script>window.__pwned=2</script>")
    page.locator("#field-website").fill("javascript:window.__pwned=3")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("<script>")
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("a[href^='javascript:']").count() == 0


def test_a_form_posted_from_another_site_is_refused(page: Page) -> None:
    log_in(page)
    # a page elsewhere that posts to Comptoir with the person's cookie but no CSRF token
    response = page.context.request.post(f"{BASE}/ui/Accounts/new",
                                         form={"lastname": "Forged"},
                                         headers={"Origin": "https://evil.example"})
    assert response.status == 403
    page.goto(f"{BASE}/ui/Accounts?q=Forged")
    expect(page.locator("table.records tbody")).not_to_contain_text("Forged")


def test_the_screens_fit_a_phone(phone_page: Page) -> None:
    log_in(phone_page)
    phone_page.goto(f"{BASE}/ui/Accounts")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page is {width} px wide on a 390 px phone"
    screenshot(phone_page, "phone-list")
