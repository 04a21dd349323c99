"""The chain, place, compare and figures pages on the server, with their JSON, CSV, Excel and chart forms."""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(chains_dir):
    from fastapi.testclient import TestClient

    from kg.serve.app import QueryPool, create_app

    pool = QueryPool(chains_dir, "oxigraph", size=1, timeout=30)
    yield TestClient(create_app(pool), base_url="http://127.0.0.1")   # the Host the server is bound to
    pool.close()


def test_views_chain_page_shows_segments_gaps_and_candidates(client):
    page = client.get(f"/chain/{quote('集成电路')}?city={quote('绍兴')}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    text = page.text
    assert text.index("材料") < text.index("设计") < text.index("封装测试")
    assert "→ candidate" in text and "丙芯片设计" in text and "甲微电子是集成电路龙头" in text
    assert "href='/id/company/" in text   # companies link to their entity pages
    data = client.get(f"/chain/{quote('集成电路')}?city={quote('绍兴')}&format=json").json()
    assert [s["gap"] for s in data["segments"]] == [False, True, True]


def test_views_downloads_for_excel(client):
    import openpyxl

    csv = client.get(f"/chain/{quote('集成电路')}?city={quote('绍兴')}&format=csv&view=gaps&bom=1")
    assert csv.content.startswith(b"\xef\xbb\xbf") and "丙芯片设计" in csv.content.decode("utf-8-sig")
    book = client.get(f"/place/{quote('绍兴')}?format=xlsx")
    assert openpyxl.load_workbook(io.BytesIO(book.content)).sheetnames == ["chains", "leaders", "platforms",
                                                                           "programmes", "figures"]
    assert client.get(f"/place/{quote('绍兴')}?format=csv&view=nope").status_code == 400


def test_views_place_compare_figures(client):
    place = client.get(f"/place/{quote('绍兴')}")
    assert place.status_code == 200 and "芯片行动" in place.text and "上虞集成电路产业园" in place.text
    both = client.get(f"/compare?places={quote('绍兴,杭州')}&format=json").json()
    assert both["places"] == ["绍兴市", "杭州市"]
    assert "<form" in client.get("/compare").text
    figures = client.get(f"/figures/{quote('绍兴')}")
    assert figures.status_code == 200 and "<svg" in figures.text and "数字经济核心产业增加值" in figures.text
    png = client.get(f"/figures/{quote('绍兴')}?chart=png")
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")


def test_views_unknown_names_are_404_with_suggestions(client):
    missing = client.get(f"/chain/{quote('芯片封装')}")
    assert missing.status_code == 404 and "芯片产业链" in missing.text
    assert client.get(f"/place/{quote('火星')}").status_code == 404
