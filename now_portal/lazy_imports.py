"""Modules loaded on first use instead of on import (the recipe of importlib's LazyLoader).

allauth's WebAuthn internals import fido2 and cryptography, about 100 ms of every Lambda
cold start, because the URL configuration imports every MFA view. A request needs them
only when someone registers or uses a passkey; every other page now goes without.
"""

import importlib.util
import sys

LAZY_MODULES = ["allauth.mfa.webauthn.internal.auth"]


def install(names=LAZY_MODULES):
    for name in names:
        if name in sys.modules:  # already imported: nothing left to save
            continue
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        parent, _, child = name.rpartition(".")
        setattr(sys.modules[parent], child, module)
