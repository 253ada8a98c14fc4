"""`bridgework demo`: the story (`story.py`), its script (`script.py`) and one chapter per area."""

from bridgework.infra.demo.story import load_demo

__all__ = ["load_demo"]
