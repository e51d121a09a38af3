"""Who a name in a query means: speaker names, handles and aliases resolved to person IDs.

Names are not indexed with the statements; the index holds each statement's person ID,
and this directory (the people who have indexed statements, read from the archive and
cached until the index changes) maps folded name words to those IDs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archive.records import Person
from archive.store import ArchiveStore, PersonNotFoundError
from index.analysis import fold, words_of
from index.cache import BoundedCache
from index.spelling import edit_distance


@dataclass
class SpeakerDirectory:
    people: dict[str, Person] = field(default_factory=dict)
    by_word: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, people: list[Person]) -> SpeakerDirectory:
        directory = cls()
        for person in people:
            directory.people[person.person_id] = person
            for word in name_words(person):
                directory.by_word.setdefault(word, set()).add(person.person_id)
        return directory

    def match_words(self, words: list[str]) -> set[str]:
        """Person IDs whose name words include every one of these folded words."""
        if not words:
            return set()
        found = set(self.by_word.get(words[0], ()))
        for word in words[1:]:
            found &= self.by_word.get(word, set())
        return found

    def resolve(self, value: str) -> set[str]:
        """People a ``speaker:`` value names: a person ID, a handle, a name or part of one."""
        value = value.strip()
        if value in self.people:
            return {value}
        return self.match_words([fold(word) for word in words_of(value)])

    def resolve_near(self, value: str) -> set[str]:
        """People whose name words are each one typo away from the value's words."""
        words = [fold(word) for word in words_of(value)]
        if not words:
            return set()
        found: set[str] | None = None
        for word in words:
            near = set()
            for known, ids in self.by_word.items():
                if len(word) >= 4 and edit_distance(word, known, 1) <= 1:
                    near |= ids
            found = near if found is None else found & near
        return found or set()

    def display(self, person_id: str) -> str:
        person = self.people.get(person_id)
        return person.name if person else person_id


def name_words(person: Person) -> set[str]:
    """The folded words of a person's name, aliases, handles and ID."""
    parts = [person.name, *person.aliases, *person.handles, person.person_id]
    return {fold(word) for part in parts for word in words_of(part.replace("-", " "))}


_CACHE: BoundedCache[SpeakerDirectory] = BoundedCache(8)


def get_speaker_directory(store: ArchiveStore, person_ids: list[str], stamp: tuple) -> SpeakerDirectory:
    """The directory of these people, cached under ``stamp`` (which changes with the index)."""
    return _CACHE.fetch(stamp, lambda: _build_directory(store, person_ids))


def _build_directory(store: ArchiveStore, person_ids: list[str]) -> SpeakerDirectory:
    people = []
    for person_id in person_ids:
        try:
            people.append(store.get_person(person_id))
        except PersonNotFoundError:
            continue
    return SpeakerDirectory.build(people)
