import pytest

from .factories import UserFactory


@pytest.mark.django_db
def test_passwords_are_stored_with_argon2id():
    user = UserFactory()
    assert user.password.startswith("argon2$argon2id$")
    assert "m=19456,t=2,p=1" in user.password
