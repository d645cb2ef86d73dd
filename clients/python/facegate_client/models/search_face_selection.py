from enum import StrEnum


class SearchFaceSelection(StrEnum):
    ALL = "all"
    CENTER = "center"
    LARGEST = "largest"
    PRIMARY = "primary"

    def __str__(self) -> str:
        return str(self.value)
