"""The one door to LibTorch: physec._physec_torch is imported here, on the first checkpoint loaded."""


def torch_module():
    """physec._physec_torch (loads LibTorch, ~0.7 s and ~170 MB the first time)."""
    try:
        from . import _physec_torch
    except ImportError as e:
        raise ImportError("physec was built without LibTorch (-DPHYSEC_WITH_TORCH=OFF): no checkpoint inference; "
                          f"rebuild with it ON ({e})") from e
    return _physec_torch
