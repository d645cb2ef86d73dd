from enum import StrEnum


class SearchOperatingPoint(StrEnum):
    FMR_1E_2 = "fmr_1e-2"
    FMR_1E_3 = "fmr_1e-3"
    FMR_1E_4 = "fmr_1e-4"
    FMR_1E_5 = "fmr_1e-5"
    FMR_1E_6 = "fmr_1e-6"
    FPIR_1E_1 = "fpir_1e-1"
    FPIR_1E_2 = "fpir_1e-2"
    FPIR_1E_3 = "fpir_1e-3"

    def __str__(self) -> str:
        return str(self.value)
