"""cypsxl under xlwings Server, in process (the optional ``server`` extra), and ``cypsxl serve``.

conftest.py has set the licence key; the project folder and socket.io switch must be set
before xlwings_server is first imported (it reads its settings at import time).
"""

from __future__ import annotations

import os
import warnings

from cypsxl.excel.server import PROJECT_DIR, server_settings

os.environ.update(server_settings())  # as cypsxl serve sets them
os.environ["XLWINGS_ENABLE_SOCKETIO"] = "false"
os.environ["XLWINGS_ENVIRONMENT"] = "dev"

import pytest
import xlwings as xw

with warnings.catch_warnings():
    # this starlette release warns that it would rather use a renamed httpx; same client
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient
from xlcall import book_snapshot, payload

from cypsxl.cli import main as cli
from cypsxl.excel.demo import build_demo


@pytest.fixture(scope="module")
def client():
    from xlwings_server.main import app

    with TestClient(app) as c:
        yield c


def test_functions_and_scripts_are_registered(client) -> None:
    r = client.get("/xlwings/custom-functions-meta")
    assert r.status_code == 200
    names = {f["name"].split(".")[-1] for f in r.json()["functions"]}
    assert {"CYPS_BID_PROFILE", "CYPS_FUNDING_GAP", "CYPS_NPV", "CYPS_VERSION"} <= names
    r = client.get("/xlwings/custom-scripts-meta")
    assert [s["function_name"] for s in r.json()] == ["cyps_refresh"]


def test_function_call_through_the_server(client) -> None:
    # 15 in year 2, 27 in year 3 at £22,000: 165,000 and 627,000 (domain primer)
    body = payload("cyps_cost_avoidance", [[0, 15, 27]], 22000, None)
    r = client.post("/xlwings/custom-functions-call", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {"result": [[0.0, 165000.0, 627000.0]]}


def test_refresh_button_through_the_server(client) -> None:
    body = book_snapshot(build_demo())
    r = client.post("/xlwings/custom-scripts-call/cyps_refresh", json=body)
    assert r.status_code == 200, r.text
    actions = r.json()["actions"]
    assert [a["func"] for a in actions] == ["setValues"] * 7
    assert actions[0]["values"][2][:2] == ["Net budget", 56.468]  # reference case, 2016/17


def test_manifest(client) -> None:
    r = client.get("/manifest")
    assert r.status_code == 200
    assert "<OfficeApp" in r.text and "custom-functions-meta" in r.text
    # the add-in is named cypsxl in Excel, not after the server it runs on
    assert '<DisplayName DefaultValue="cypsxl [dev]" />' in r.text
    assert "xlwings Server" not in r.text


def test_serve_needs_a_licence_key(monkeypatch, capsys) -> None:
    monkeypatch.delenv("XLWINGS_LICENSE_KEY")
    assert cli(["serve"]) == 2
    err = capsys.readouterr().err
    assert "XLWINGS_LICENSE_KEY" in err and "PolyForm Noncommercial" in err
    assert xw.__version__  # xlwings itself stays importable without a key


def test_a_bad_argument_through_the_server_names_it(client) -> None:
    body = payload("cyps_cost_avoidance", [[0, {"type": "Error", "basicValue": "#N/A"}]], 22000)
    r = client.post("/xlwings/custom-functions-call", json=body)
    # 400 with the message, in production too (a plain exception would be a 500 that
    # Excel retries, and only "An error occurred." outside development)
    assert r.status_code == 400
    assert r.text == (
        "cyps_cost_avoidance: 'prevented' value 2 is the Excel error #N/A; expected a number"
    )


def test_serve_runs_the_server_project_with_the_cypsxl_namespace(monkeypatch, capsys) -> None:
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    for key in ("XLWINGS_PROJECT_DIR", "XLWINGS_PROJECT_NAME", "XLWINGS_FUNCTIONS_NAMESPACE"):
        monkeypatch.setenv(key, "")  # so that each is restored after the test ...
        monkeypatch.delenv(key)  # ... and serve sets it
    assert cli(["serve", "--port", "8123"]) == 0
    assert calls == [("xlwings_server.main:main_app", {"host": "127.0.0.1", "port": 8123})]
    assert os.environ["XLWINGS_PROJECT_DIR"] == str(PROJECT_DIR)
    assert os.environ["XLWINGS_PROJECT_NAME"] == "cypsxl"
    assert os.environ["XLWINGS_FUNCTIONS_NAMESPACE"] == "CYPSXL"
    assert "http://127.0.0.1:8123/manifest" in capsys.readouterr().out
