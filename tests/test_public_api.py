import dataclasses

import sucai
from sucai import model


def test_all_names_exist() -> None:
    for name in sucai.__all__:
        assert hasattr(sucai, name), name


def test_every_public_dataclass_is_exported() -> None:
    internal = {"Line"}
    for name in dir(model):
        obj = getattr(model, name)
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == model.__name__:
            assert name in sucai.__all__ or name in internal, f"{name} missing from sucai.__all__"
