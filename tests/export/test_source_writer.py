"""Source documents are written on worker threads; errors still reach the export."""

from __future__ import annotations

import pytest

from annotate.datasets.exporters.package import _FileWriter


def test_every_file_is_written_with_its_exact_bytes(tmp_path):
    contents = {f"s{i}.txt": bytes([i]) * (i * 1000 + 1) for i in range(40)}
    with _FileWriter(max_bytes=10_000) as writer:
        for name, content in contents.items():
            writer.write(tmp_path / name, content)
            assert writer._waiting_bytes <= 10_000  # memory stays bounded
        writer.finish()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == contents


def test_a_failed_write_is_raised_by_finish(tmp_path):
    with _FileWriter() as writer:
        writer.write(tmp_path / "kept.txt", b"kept")
        writer.write(tmp_path / "no-such-folder" / "lost.txt", b"lost")
        with pytest.raises(FileNotFoundError):
            writer.finish()
    assert (tmp_path / "kept.txt").read_bytes() == b"kept"


def test_a_failed_write_is_raised_by_a_later_write_once_memory_is_full(tmp_path):
    with _FileWriter(max_bytes=1) as writer, pytest.raises(FileNotFoundError):
        writer.write(tmp_path / "no-such-folder" / "lost.txt", b"lost")
