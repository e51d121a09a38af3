"""Turning the speaker named in a file (a person ID, a handle, a name) into a stored person.

Rules, in order: a stored person ID is that person; a handle (``@x`` or
``x``) stored on a person is that person; a name held by exactly one stored
person is that person; otherwise a new person is made.
A new handle becomes person ID = the handle in lower case (characters
other than letters, digits, ``_``, ``.``, ``-`` dropped from the start,
``-2``, ``-3`` … appended on a clash), name = the handle as written,
handles = ``("@handle",)``; a new name (with spaces) becomes a person
with that name and a person ID made from it. Stored people are never
changed by an import.
"""

from __future__ import annotations

import re
import unicodedata

from archive.importers.records import SpeakerRef
from archive.records import RESERVED_ID_SUFFIXES, Person

_HANDLE = re.compile(r"^@?[A-Za-z0-9_]{1,50}$")
MAX_SPEAKER_LENGTH = 200


class SpeakerResolver:
    """The stored people plus those an import creates; resolves SpeakerRefs to person IDs."""

    def __init__(self, people: list[Person]):
        self._by_id = {person.person_id: person for person in people}
        self._by_handle: dict[str, str] = {}
        for person in people:
            for handle in person.handles:
                self._by_handle.setdefault(handle.lstrip("@").lower(), person.person_id)
        names: dict[str, list[str]] = {}
        for person in people:
            if not person.unnamed:
                names.setdefault(person.name.casefold(), []).append(person.person_id)
        self._by_name = {name: ids[0] for name, ids in names.items() if len(ids) == 1}
        self._resolved: dict[tuple[str, Person | None], str] = {}
        self.new_people: list[Person] = []

    def resolve(self, ref: SpeakerRef) -> str:
        """The person ID for ``ref``; raises ValueError for an unusable speaker."""
        key = (ref.value, ref.person)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(ref)
        return self._resolved[key]

    def _resolve(self, ref: SpeakerRef) -> str:
        value = ref.value.strip()
        if not value or len(value) > MAX_SPEAKER_LENGTH:
            raise ValueError(f"speaker: {value[:40]!r} is not a usable speaker")
        if value in self._by_id:
            return value
        if _HANDLE.match(value):
            handle = value.lstrip("@")
            found = self._by_handle.get(handle.lower())
            if found:
                return found
            if ref.person is not None:
                person = Person(self._free_id(handle), ref.person.name, (f"@{handle}",),
                                ref.person.aliases, ref.person.description)
            else:
                person = Person(self._free_id(handle), handle, (f"@{handle}",))
            self._by_handle[handle.lower()] = person.person_id
        elif value.casefold() in self._by_name:
            return self._by_name[value.casefold()]
        else:
            if "\x00" in value or any(unicodedata.category(char) == "Cc" for char in value):
                raise ValueError(f"speaker: {value[:40]!r} contains control characters")
            person = Person(self._free_id(value), value)
            self._by_name[value.casefold()] = person.person_id
        self._add(person.validate())
        return person.person_id

    def person(self, person_id: str) -> Person:
        return self._by_id[person_id]

    def _add(self, person: Person) -> None:
        self._by_id[person.person_id] = person
        self.new_people.append(person)

    def _free_id(self, label: str) -> str:
        folded = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
        slug = re.sub(r"[^a-z0-9_.-]+", "-", folded).lstrip("-_.")[:56].rstrip("-_.") or "speaker"
        for suffix in RESERVED_ID_SUFFIXES:  # "evil.json" would be the JSON twin of "evil"
            if slug.endswith(suffix):
                slug = slug[: -len(suffix)] + "-" + suffix[1:]
        candidate, number = slug, 1
        while candidate in self._by_id:
            number += 1
            candidate = f"{slug}-{number}"
        return candidate
