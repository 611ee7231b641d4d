"""A customer without e-mail uses the account's contact form in a real browser: headless Chromium (Debian's
`chromium` and `chromium-driver`) driven by Selenium against the real backend under uvicorn on loopback. Every
step waits for what the customer would see (explicit waits, never a fixed sleep)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import text

from tests.sync.conftest import Backend

SQLITE_ONLY = pytest.mark.parametrize("backend_engine", ["sqlite"], indirect=True)
WAIT_S = 60  # a ceiling for a loaded machine, not a pause: each wait ends as soon as the page shows the thing


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--disable-extensions", "--no-first-run", "--window-size=1000,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))
    driver.set_page_load_timeout(WAIT_S)
    try:
        yield driver
    finally:
        driver.quit()


def _account(backend: Backend) -> tuple[str, str]:
    with backend.engine.connect() as conn:
        row = conn.execute(text("SELECT id, name FROM account ORDER BY id LIMIT 1")).one()
    return str(row[0]), str(row[1])


def _open_form(browser: WebDriver, backend: Backend, account: str) -> WebDriverWait[WebDriver]:
    browser.get(f"{backend.url}/form/{account}")
    wait: WebDriverWait[WebDriver] = WebDriverWait(browser, WAIT_S)
    wait.until(seen.element_to_be_clickable((By.ID, "send")))
    return wait


def _type(browser: WebDriver, **values: str) -> None:
    for field, value in values.items():
        box = browser.find_element(By.NAME, field)
        box.clear()
        box.send_keys(value)


@SQLITE_ONLY
def test_a_customer_sends_the_form_and_reads_the_case_number(browser: WebDriver, backend: Backend) -> None:
    account, name = _account(backend)
    wait = _open_form(browser, backend, account)
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Contact {name}"
    _type(browser, name="Margaret Hamilton", phone="+1 617 555 0142", subject="Dishwasher",
          message="The dishwasher stops after five minutes.\nSerial 4471.")
    browser.find_element(By.ID, "send").click()
    number = wait.until(seen.visibility_of_element_located((By.ID, "case-number"))).text
    assert number.startswith("CS-")
    assert "Your message has been received." in browser.find_element(By.TAG_NAME, "body").text
    with backend.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT t.account_id, t.channel, t.subject, t.status, m.body, c.name, p.e164 FROM ticket t"
            " JOIN ticket_message m ON m.ticket_id = t.id JOIN customer c ON c.id = t.customer_id"
            " JOIN customer_phone p ON p.customer_id = c.id WHERE t.case_number = :n"), {"n": number}).all()
    assert [tuple(r) for r in rows] == [(account, "web_form", "Dishwasher", "new",
                                         "The dishwasher stops after five minutes.\nSerial 4471.",
                                         "Margaret Hamilton", "+16175550142")]


@SQLITE_ONLY
def test_a_form_without_its_message_says_so_and_keeps_what_was_typed(browser: WebDriver, backend: Backend) -> None:
    account, _name = _account(backend)
    wait = _open_form(browser, backend, account)
    _type(browser, name="Katherine Johnson", email="katherine@example.org", subject="Billing")
    browser.find_element(By.ID, "send").click()
    errors = wait.until(seen.visibility_of_element_located((By.ID, "errors")))
    assert "Please write your message." in errors.text
    assert browser.find_element(By.NAME, "name").get_attribute("value") == "Katherine Johnson"
    assert browser.find_element(By.NAME, "email").get_attribute("value") == "katherine@example.org"
    assert browser.find_element(By.NAME, "subject").get_attribute("value") == "Billing"
    assert browser.find_elements(By.ID, "case-number") == []
    # The form shown again is a working one: with the message written it goes through.
    _type(browser, message="Charged twice in November.")
    browser.find_element(By.ID, "send").click()
    assert wait.until(seen.visibility_of_element_located((By.ID, "case-number"))).text.startswith("CS-")
