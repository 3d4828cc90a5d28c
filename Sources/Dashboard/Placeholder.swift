import ASHA
