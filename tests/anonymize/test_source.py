"""The source is only read, in one transaction that sees one point in time."""

import pytest
from django.db import DatabaseError, connection, transaction

from anonymize.snapshot import SnapshotError, read_only_snapshot
from tests.applications.factories import FundingApplicationFactory


@pytest.mark.django_db(transaction=True)
def test_the_snapshot_transaction_refuses_writes_and_ends_cleanly():
    application = FundingApplicationFactory()
    with read_only_snapshot(connection):
        with connection.cursor() as cursor:
            with pytest.raises(DatabaseError):
                cursor.execute("UPDATE applications_fundingapplication SET city = 'X'")
    application.refresh_from_db()
    assert application.city == "Dresden"
    # Afterwards the connection writes again (autocommit, the portal's isolation level).
    application.city = "Leipzig"
    application.save()
    if connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT @@SESSION.tx_isolation")
            assert cursor.fetchone()[0] == "READ-COMMITTED"


@pytest.mark.django_db(transaction=True)
def test_the_snapshot_sees_one_point_in_time_on_mariadb():
    if connection.vendor != "mysql":
        pytest.skip("a second writer needs a server database (SQLite tests run in memory)")
    from django.db import connections

    FundingApplicationFactory()
    other = connections.create_connection("default")
    try:
        with read_only_snapshot(connection):
            with connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM applications_fundingapplication")
                before = cursor.fetchone()[0]
                with other.cursor() as writer:
                    writer.execute("UPDATE applications_fundingapplication SET city = 'Leipzig'")
                    other.commit() if not other.get_autocommit() else None
                cursor.execute("SELECT COUNT(*) FROM applications_fundingapplication "
                               "WHERE city = 'Leipzig'")
                assert cursor.fetchone()[0] == 0, "the snapshot saw a later write"
                assert before == 1
    finally:
        other.close()


@pytest.mark.django_db
def test_a_snapshot_inside_a_transaction_is_refused():
    with transaction.atomic():
        with pytest.raises(SnapshotError, match="inside a transaction"):
            with read_only_snapshot(connection):
                pass
