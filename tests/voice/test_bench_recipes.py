"""The benchmark helpers that shape what is measured: training remixes and the WS load turns."""

import asyncio
import json

import numpy as np

from tests.voice.scripts import BENCH, load_script


def test_remixes_redraw_the_training_corpora_with_their_own_seeds_and_ids():
    remix = load_script("bargein_train/remix.py")
    bases = {
        name: json.loads((BENCH / "bargein_train" / name).read_text())
        for name in ("sources.json", "sources2.json")
    }
    prefixes = {base["prefix"] for base in bases.values()} | {"d"}  # the trained ones and dev
    seeds = {base["seed"] for base in bases.values()}
    folders = set()
    for prefix, (base, _) in remix.REMIXES.items():
        recipe = remix.recipe(prefix)
        # the same voices, sounds and mix: only the draw and the clip ids differ
        assert {k: v for k, v in recipe.items() if k not in ("seed", "prefix")} == {
            k: v for k, v in bases[base].items() if k not in ("seed", "prefix")
        }
        assert recipe["prefix"] not in prefixes and recipe["seed"] not in seeds
        prefixes.add(recipe["prefix"])
        seeds.add(recipe["seed"])
        folders.add(remix.folder(prefix))
    assert len(folders) == len(remix.REMIXES)
    assert "bargein-train" not in folders and "bargein-train2" not in folders


def test_the_ws_load_server_ends_a_caller_turn_every_few_seconds_of_audio():
    server = load_script("load_ws_server.py")
    stream = server._TurnClock().open()
    frame = np.zeros(160, np.int16)
    per_turn = int(server.TURN_S * 50)  # 20 ms frames

    async def feed(count: int) -> list[int]:
        return [k for k in range(count) if await stream.feed(frame)]

    ends = asyncio.run(feed(10 * per_turn))
    assert len(ends) == 10 and set(np.diff(ends)) == {per_turn}
    turn = asyncio.run(stream.feed(np.zeros(int(server.TURN_S * 8000), np.int16)))
    assert turn and turn[0].final and turn[0].text
