"""The vectors' proximity graph: every row findable under its row number across segments,
the nearest rows found as an exact search finds them, a graph extended with new rows keeping
the old ones, and the graph following the archive (built by ``encode`` once the rows outside
it pass a threshold, extended, rebuilt by ``reindex``) while a search reads it. Real files,
real model for the archive tests."""

from __future__ import annotations

import json

import numpy as np

from index import vectors
from index.embedding import encode_texts
from index.vector_graph import VectorGraph, extend_graph
from index.vectors import MANIFEST_FILE, get_vector_set, vectors_path

SABBATICAL = "taking a sabbatical until the end of the year"  # Brockman's post, stored in German


def clustered(rows: int, centres: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    middle = rng.standard_normal((centres, 512))
    points = middle[rng.integers(0, centres, rows)] + 0.6 * rng.standard_normal((rows, 512))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def exact_top(matrix: np.ndarray, query: np.ndarray, limit: int) -> list[int]:
    return list(np.argsort(-(matrix @ query), kind="stable")[:limit])


def test_each_row_is_found_under_its_number_across_the_matrices(tmp_path):
    parts = [clustered(300, 20, 1), clustered(0, 1, 2), clustered(500, 20, 3)]
    graph = VectorGraph(tmp_path, extend_graph(tmp_path, parts))
    everything = np.vstack(parts)
    assert graph.size == 800
    for row in (0, 299, 300, 799):
        found, similarity = graph.nearest_rows(everything[row], 1)
        assert list(found) == [row] and abs(similarity[0] - 1.0) < 0.01


def test_the_graph_finds_nearly_all_of_the_nearest_rows(tmp_path):
    matrix = clustered(10_000, 200, 4)
    graph = VectorGraph(tmp_path, extend_graph(tmp_path, [matrix[:4_000], matrix[4_000:]]))
    rng = np.random.default_rng(5)
    queries = matrix[rng.choice(len(matrix), 50, replace=False)] + 0.02 * rng.standard_normal((50, 512))
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    found = [len(set(graph.nearest_rows(query, 10)[0]) & set(exact_top(matrix, query, 10)))
             for query in queries]
    assert sum(found) / (10 * len(queries)) >= 0.95
    rows, similarity = graph.nearest_rows(queries[0], 10)
    assert np.allclose(similarity, matrix[rows] @ queries[0], atol=0.01)  # half precision
    assert list(similarity) == sorted(similarity, reverse=True)


def test_an_extended_graph_keeps_the_old_rows_and_adds_the_new(tmp_path):
    old = [clustered(400, 20, 6)]
    first = extend_graph(tmp_path, old)
    grown = [*old, clustered(200, 20, 7)]
    second = VectorGraph(tmp_path, extend_graph(tmp_path, grown, first))
    assert second.size == 600
    for row in (0, 399, 400, 599):
        assert second.nearest_rows(np.vstack(grown)[row], 1)[0][0] == row
    assert VectorGraph(tmp_path, first).size == 400  # the old file is left as it was


def search(client, **params) -> dict:
    answer = client.get("/api/search", query_string=params)
    assert answer.status_code == 200
    return answer.get_json()


def manifest(data_dir) -> dict:
    return json.loads((vectors_path(data_dir) / MANIFEST_FILE).read_text(encoding="utf-8"))


def graph_files(data_dir) -> set[str]:
    return {path.name.split(".")[0] for path in vectors_path(data_dir).glob("graph-*")}


def add_statement(runner, tmp_path, text: str) -> None:
    record = {"text": text, "speaker": "Tess Tester", "posted_at": "2024-05-01", "lang": "de"}
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert runner.invoke(args=["import", str(source)]).exit_code == 0


def test_encode_grows_the_graph_and_the_search_reads_it(client, runner, data_dir,
                                                               tmp_path, monkeypatch):
    monkeypatch.setattr(vectors, "INLINE_BACKLOG", 0)
    monkeypatch.setattr(vectors, "TAIL_ROWS", 0)  # any row outside the graph is one too many
    assert runner.invoke(args=["encode"]).exit_code == 0
    first = manifest(data_dir)["graph"]
    assert first and first["segments"] == manifest(data_dir)["segments"]
    graphed = get_vector_set(data_dir)
    assert graphed.uncovered_rows == 0 and graphed.graph is not None
    query = encode_texts([SABBATICAL])[0]
    positions, similarities = graphed.nearest(query, 4)
    exact = graphed.exact_similarities(query)
    assert list(positions) == list(np.argsort(-exact, kind="stable")[:4])
    assert np.allclose(similarities, exact[positions])  # exact scores, not the graph's halves
    assert search(client, q=SABBATICAL)["meaning_results"][0]["statement_id"] == "M53G-3GCT"

    monkeypatch.setattr(vectors, "INLINE_BACKLOG", 200)  # a search encodes one new statement
    add_statement(runner, tmp_path, "Wir verlassen die Stadt und ziehen für immer aufs Land.")
    found = search(client, q="moving to the countryside forever")
    assert found["meaning_results"][0]["speaker"]["name"] == "Tess Tester"  # read exactly
    assert manifest(data_dir)["graph"] == first  # a search never grows the graph
    assert get_vector_set(data_dir).uncovered_rows > 0

    assert runner.invoke(args=["encode"]).exit_code == 0
    second = manifest(data_dir)["graph"]
    assert second["name"] != first["name"] and len(second["segments"]) > len(first["segments"])
    assert graph_files(data_dir) == {second["name"]}  # the old graph's file is gone
    assert get_vector_set(data_dir).uncovered_rows == 0
    found = search(client, q="moving to the countryside forever")
    assert found["meaning_results"][0]["speaker"]["name"] == "Tess Tester"  # through the graph

    assert runner.invoke(args=["reindex"]).exit_code == 0
    third = manifest(data_dir)["graph"]
    assert third["name"] != second["name"] and graph_files(data_dir) == {third["name"]}
    assert search(client, q=SABBATICAL)["meaning_results"][0]["statement_id"] == "M53G-3GCT"


def test_a_small_archive_is_searched_exactly_without_a_graph(client, data_dir):
    assert search(client, q=SABBATICAL)["meaning_results"][0]["statement_id"] == "M53G-3GCT"
    assert manifest(data_dir)["graph"] is None and graph_files(data_dir) == set()
