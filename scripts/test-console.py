#!/usr/bin/env python3
"""The operations console in a real browser (run by scripts/test.sh): headless Chromium driven by Selenium.

Starts a partner sink that refuses its first notification (400, so that delivery is dead-lettered at
once) and `tandem serve` with that partner and an operator who signs in with a password. Then, in the
browser:

- signs in (a wrong password first, which is refused);
- replays the cataract scenario to the live gateway (`tandem replay --to`; the timers' clock pinned at
  the scenario's evaluation time), finds its episode by the patient's identifier and checks the numbered
  timeline against the scenario's evaluated golden document, with the partner told of each event;
- finds the dead letter on the deliveries page, retries it there and sees it delivered;
- checks the measures chart draws the scenario's referral turnaround;
- signs out, after which the console's pages ask for a sign-in again.

Screenshots at laptop and tablet widths go to .build/console-*.png. Prints 'N passed, N failed' and exits 1
on any failure.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

import livecheck
from livecheck import check, free_port, token_hash

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TANDEM = os.environ.get("TANDEM_BINARY", os.path.join(ROOT, ".build", "debug", "tandem"))
SHOTS = os.path.join(ROOT, ".build")
SCENARIO = os.path.join(ROOT, "Samples", "ophthalmology.cataract")
SENDER, SENDER_TOKEN = "lakeside-eye-surgery", "console-test-sender-token"
OPERATOR, PASSWORD = "ops", "console test password"



def wait_until(condition, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if condition():
                return True
        except Exception:  # a page mid-replacement by the live updates
            pass
        time.sleep(0.25)
    print(f"timed out waiting for {what}", file=sys.stderr)
    return False


def start(arguments, directory, name, environment=None):
    log = open(os.path.join(directory, f"{name}.log"), "w")
    return subprocess.Popen([TANDEM, *arguments], cwd=directory, env=environment or os.environ, stdout=log,
                            stderr=log), log


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def browser():
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1366,900"):
        options.add_argument(argument)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(service=Service(driver_path), options=options)


def shoot(driver, name):
    for width, height, label in ((1366, 900, "laptop"), (820, 1180, "tablet")):
        driver.set_window_size(width, height)
        driver.save_screenshot(os.path.join(SHOTS, f"console-{name}-{label}.png"))
    driver.set_window_size(1366, 900)


def main():
    directory = tempfile.mkdtemp(prefix="tandem-console-")
    sink_port, gateway_port = free_port(), free_port()
    password_hash = subprocess.run([TANDEM, "password-hash", "--password", PASSWORD, "--iterations", "210000"],
                                   check=True, capture_output=True, text=True).stdout.strip()
    config = {
        "listen": {"host": "127.0.0.1", "port": gateway_port},
        "store": "sqlite:" + os.path.join(directory, "tandem.sqlite"),
        "mappings": os.path.join(ROOT, "Mappings"),
        "senders": [{"name": SENDER, "allowedTypes": ["*"],
                     "tokenHash": token_hash(SENDER_TOKEN)}],
        "partners": [{"id": "eyecare", "endpoint": f"http://127.0.0.1:{sink_port}/notify",
                      "serviceLines": ["ophthalmology.cataract"], "hmacSecret": "console-test-secret",
                      "timeout": "5s", "retry": {"baseBackoff": "1s", "maximumBackoff": "5s", "maximumAge": "1h"}}],
        "operators": [{"name": OPERATOR, "passwordHash": password_hash}],
        # The timers' clock at the scenario's evaluation time, so the deadlines due by then (and no later
        # ones) become timeline events, as in the scenario's evaluated golden document.
        "clock": {"at": json.load(open(os.path.join(SCENARIO, "scenario.json")))["evaluateAt"]},
    }
    config_path = os.path.join(directory, "tandem.json")
    with open(config_path, "w") as file:
        json.dump(config, file)
    environment = dict(os.environ)
    for name in ("TANDEM_CONFIG", "TANDEM_STORE_URL", "TANDEM_LISTEN", "TANDEM_MAPPINGS"):
        environment.pop(name, None)
    sink, sink_log = start(["sink", "--port", str(sink_port), "--secret", "console-test-secret", "--fail", "400"],
                           directory, "sink", environment)
    gateway, gateway_log = start(["serve", "--config", config_path, "--allow-test-clock"], directory, "gateway",
                                 environment)
    base = f"http://127.0.0.1:{gateway_port}"
    driver = None
    try:
        if not wait_until(lambda: requests.get(base + "/health/ready", timeout=1).status_code == 200, 60,
                          "the gateway"):
            raise SystemExit(open(gateway_log.name).read())
        driver = browser()
        run(driver, base)
    except BaseException:
        livecheck.check(False, "the browser run ended early")
        raise
    finally:
        if driver is not None:
            driver.quit()
        stop(gateway)
        stop(sink)
        gateway_log.close()
        sink_log.close()
        if livecheck.failed:
            print(open(os.path.join(directory, "gateway.log")).read()[-4000:], file=sys.stderr)
        shutil.rmtree(directory, ignore_errors=True)
    print(f"console in a browser: {livecheck.passed} passed, {livecheck.failed} failed")
    sys.exit(1 if livecheck.failed else 0)


def sign_in(driver, base, password):
    driver.get(base + "/console/sign-in")
    driver.find_element(By.ID, "name").send_keys(OPERATOR)
    field = driver.find_element(By.ID, "password")
    field.send_keys(password)
    field.send_keys(Keys.ENTER)  # the keyboard submits the form


def run(driver, base):
    wait = WebDriverWait(driver, 30)
    # Sign-in: a wrong password is refused, the right one opens the episodes page.
    driver.get(base + "/console/episodes")
    check(driver.current_url.endswith("/console/sign-in"), "an anonymous page redirects to the sign-in")
    sign_in(driver, base, "not the password")
    check("Wrong name or password." in driver.page_source, "a wrong password is refused")
    sign_in(driver, base, PASSWORD)
    wait.until(expected_conditions.url_contains("/console/episodes"))
    check(driver.find_element(By.TAG_NAME, "h1").text == "Episodes", "signed in to the episodes page")
    cookie = driver.get_cookie("tandem_console") or {}
    check(cookie.get("httpOnly") is True and cookie.get("sameSite") == "Strict", f"session cookie flags: {cookie}")
    # Keyboard: the first Tab reaches the skip link.
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    check(driver.switch_to.active_element.get_attribute("class") == "skip", "the first Tab reaches the skip link")

    # Replay the shipped scenario to the live gateway.
    replay = subprocess.run([TANDEM, "replay", SCENARIO, "--to", base + "/fhir", "--token", SENDER_TOKEN],
                            capture_output=True, text=True)
    check(replay.returncode == 0, "tandem replay posted the scenario: " + replay.stdout + replay.stderr)

    # Find the episode by the patient's identifier and check its timeline against the golden document.
    golden = json.load(open(os.path.join(SCENARIO, "evaluated.episode.json")))["episodes"][0]
    patient = golden["patient"]["key"].split("|", 1)[1]  # the value alone, as an operator would type it
    driver.get(base + "/console/episodes")
    driver.find_element(By.ID, "patient").send_keys(patient)
    driver.find_element(By.CSS_SELECTOR, "form.search button").click()
    # The unfiltered list already shows the episode: wait for the search's own page, or a link read now
    # could be followed while the search's navigation is still under way, and lose to it.
    wait.until(lambda d: "patient=" in d.current_url)
    # The list is live (the timers change the episode): take the link's address in one call, then follow it.
    # Kept from the call that found it: a second call could meet the list mid-replacement.
    found = {}

    def href():
        found["href"] = driver.execute_script("const a = document.querySelector('#episode-list tbody a');"
                                              "return a ? a.href : null;")
        return found["href"]
    check(wait_until(href, 20, "the episode in the search results"), "the search finds the episode")
    driver.get(found["href"])
    try:
        wait.until(expected_conditions.presence_of_element_located((By.ID, "timeline")))
    except Exception:
        print(f"the episode page has no timeline: {driver.current_url}\n{driver.page_source[:2000]}")
        raise
    # Read in one script call: the live updates may replace the section between two WebDriver calls. The
    # timers record the overdue activity shortly after the last message; the live updates show it.
    expected = [event["kind"] for event in golden["timeline"]]

    def timeline():
        return driver.execute_script(
            "return Array.from(document.querySelectorAll('ol.timeline > li'))"
            ".map(li => [li.value, li.querySelector('.kind').textContent]);")

    wait_until(lambda: [kind for _, kind in timeline()] == expected, 30, "the evaluated timeline")
    items = timeline()
    kinds = [kind for _, kind in items]
    check(kinds == expected, f"the timeline is the scenario's: {kinds} against {expected}")
    check([number for number, _ in items] == [event["number"] for event in golden["timeline"]],
          "the timeline is numbered as the episode's events")
    wait_until(lambda: "eyecare" in driver.find_element(By.ID, "timeline").text, 20, "partners told")
    check("eyecare" in driver.find_element(By.ID, "timeline").text, "the timeline names the partner told")
    shoot(driver, "episode")

    # The sink refused the first notification with 400: a dead letter. Retry it from the console.
    driver.get(base + "/console/deliveries")
    wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, "#dead tbody tr"), 30, "a dead letter")
    dead = driver.execute_script("return Array.from(document.querySelectorAll('#dead tbody tr')).map(tr => tr.id);")
    check(len(dead) == 1, f"one dead letter after the sink's 400 ({len(dead)})")
    if dead:
        row = dead[0].removeprefix("dead-")
        shoot(driver, "dead-letter")
        # The keyboard presses the row's Retry button (focus keeps the live updates off its section).
        button = driver.find_element(By.CSS_SELECTOR, f"#dead-{row} button")
        driver.execute_script("arguments[0].focus();", button)
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        wait.until(expected_conditions.url_contains("done=retried"))
        check(f"Delivery {row} is due again now." in driver.page_source, "the retry is confirmed")

        def delivered():
            cell = driver.find_element(By.CSS_SELECTOR, f"#delivery-{row} .status")
            return cell.text == "delivered"

        # Live updates replace the table without a reload.
        check(wait_until(delivered, 30, f"delivery {row} delivered"), f"delivery {row} is delivered after the retry")
        check(not driver.find_elements(By.CSS_SELECTOR, "#dead tbody tr") or
              wait_until(lambda: not driver.find_elements(By.CSS_SELECTOR, "#dead tbody tr"), 10, "no dead letter"),
              "no dead letter is left")
        shoot(driver, "deliveries")

    # The measures chart draws the scenario's turnaround (request to acceptance).
    driver.get(base + "/console/measures")
    chart = driver.find_element(By.ID, "turnaround-chart")
    check(len(chart.find_elements(By.TAG_NAME, "circle")) == 1, "the turnaround chart has the episode's point")
    figures = driver.find_element(By.ID, "turnaround-chart-figures").get_attribute("textContent")
    turnaround = "%.1f h" % golden["measures"]["hoursToAcknowledgement"]
    check(turnaround in figures, f"the chart's figures hold the scenario's turnaround {turnaround}: {figures}")
    check(chart.size["width"] > 300, "the chart is drawn at a readable size")
    rows = driver.find_element(By.ID, "measure-rows").text
    check("eyecare" in rows and turnaround in rows, f"the measure rows hold the partner's turnaround: {rows}")
    # The overdue list comes from the facts stored beside the episode, as the timers left them.
    overdue = driver.find_element(By.ID, "overdue").text
    activities = golden["measures"]["overdueActivities"]
    check(golden["id"] in overdue and f"{golden['serviceLine']} {activities} " in overdue,
          f"the overdue list holds the episode with its {activities} overdue activity: {overdue}")
    shoot(driver, "measures")

    # The raw message, and sign-out.
    driver.get(base + "/console/messages")
    check("lakeside-eye-surgery" in driver.page_source, "the messages page lists the sender")
    shoot(driver, "messages")
    driver.find_element(By.CSS_SELECTOR, "#messages tbody a").click()
    wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "pre.raw")))
    check('"resourceType"' in driver.find_element(By.CSS_SELECTOR, "pre.raw").text, "the raw message is shown")
    driver.find_element(By.CSS_SELECTOR, "form.who button").click()
    wait.until(expected_conditions.url_contains("/console/sign-in"))
    driver.get(base + "/console/deliveries")
    check(driver.current_url.endswith("/console/sign-in"), "after sign-out the console asks for a sign-in")


if __name__ == "__main__":
    main()
