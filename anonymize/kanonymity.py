"""k-anonymity of the funding applications over the quasi-identifiers the dump keeps.

An analyst who knows a programme, a postal region, an approval month and a number of
charging points (all in the dump, generalised) finds the group of applications that share
them; a group smaller than k singles out its members more than the data protection
officer may accept.
"""

from dataclasses import dataclass

QUASI_IDENTIFIERS = ("program", "postal code prefix", "approval month", "approved charging points")


@dataclass
class KAnonymity:
    k: int
    smallest_group: int | None
    groups: int
    rows_below_k: int

    def as_dict(self):
        return {"k": self.k, "quasi_identifiers": list(QUASI_IDENTIFIERS),
                "smallest_group": self.smallest_group, "groups": self.groups,
                "rows_below_k": self.rows_below_k}


def k_anonymity(cursor, vendor: str, k: int) -> KAnonymity:
    month = ("DATE_FORMAT(approval_date, '%Y-%m')" if vendor == "mysql"
             else "strftime('%Y-%m', approval_date)")
    prefix = "LEFT(postal_code, 2)" if vendor == "mysql" else "substr(postal_code, 1, 2)"
    cursor.execute(
        f"SELECT COUNT(*) FROM applications_fundingapplication "
        f"GROUP BY program, {prefix}, {month}, approved_charging_points"
    )
    sizes = [row[0] for row in cursor.fetchall()]
    return KAnonymity(k=k, smallest_group=min(sizes) if sizes else None, groups=len(sizes),
                      rows_below_k=sum(size for size in sizes if size < k))
