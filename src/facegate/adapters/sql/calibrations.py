"""Calibrations adopted per deployment (mixed into SqlTx): one row each, replaced on adoption."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from facegate.adapters.sql import tables as t
from facegate.domain.openset import AdoptedCalibration, Calibration


class CalibrationsMixin:
    conn: Connection

    def get_calibration(self, deployment_id: str) -> AdoptedCalibration | None:
        row = self.conn.execute(select(t.calibrations).where(t.calibrations.c.deployment_id == deployment_id)).first()
        if row is None:
            return None
        return AdoptedCalibration(Calibration.from_dict(row.document), float(row.target_far), float(row.target_fpir),
                                  float(row.verify_threshold), row.adopted_at, row.adopted_by)

    def put_calibration(self, deployment_id: str, adopted: AdoptedCalibration) -> None:
        self.conn.execute(delete(t.calibrations).where(t.calibrations.c.deployment_id == deployment_id))
        self.conn.execute(insert(t.calibrations).values(
            deployment_id=deployment_id, engine=adopted.calibration.engine, document=adopted.calibration.to_dict(),
            target_far=adopted.target_far, target_fpir=adopted.target_fpir,
            verify_threshold=adopted.verify_threshold, adopted_at=adopted.adopted_at, adopted_by=adopted.adopted_by))
