"""The compliance officer's workbench: impact assessments, filing tracker, dossier, signs and live figures."""
