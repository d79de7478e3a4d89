// SPDX-License-Identifier: GPL-3.0-or-later
// The text of every cached statement. Peaks are kept with CASE before max() because in an
// upsert's SET every expression sees the row as it was, so the time is picked by the
// same comparison that picks the power.
#include "impl.hpp"

namespace apsecu::store::detail {

// NOLINTBEGIN(readability-function-size): one case per statement reads best as a table.
const char* sql_text(Sql q) noexcept {
  switch (q) {
    case Sql::Begin: return "BEGIN IMMEDIATE";
    case Sql::Commit: return "COMMIT";
    case Sql::Rollback: return "ROLLBACK";
    case Sql::SelectInverters: return "SELECT id, serial, model, inputs FROM inverter ORDER BY id";
    case Sql::DataVersion: return "PRAGMA data_version";
    case Sql::InsertInverter: return "INSERT INTO inverter(serial, model, inputs) VALUES (?1, ?2, ?3)";
    case Sql::UpdateInverterModel: return "UPDATE inverter SET model = ?2, inputs = ?3 WHERE id = ?1";
    case Sql::InsertLifetime: return "INSERT OR IGNORE INTO lifetime(inverter_id) VALUES (?1)";
    case Sql::HasDayRows: return "SELECT EXISTS (SELECT 1 FROM inverter_day WHERE inverter_id = ?1)";
    case Sql::InsertSample:
      return "INSERT INTO sample(time, inverter_id, day, uptime_s, kind,"
             " counter1, energy1_mwh, power1_dw, dc_voltage1_cv, dc_current1_ma,"
             " counter2, energy2_mwh, power2_dw, dc_voltage2_cv, dc_current2_ma,"
             " counter3, energy3_mwh, power3_dw, dc_voltage3_cv, dc_current3_ma,"
             " counter4, energy4_mwh, power4_dw, dc_voltage4_cv, dc_current4_ma,"
             " temperature_ddeg, frequency_mhz, ac_voltage_cv, link_quality)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"
             " ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)"
             // Two polls in the same second (a double-clicked "Poll now") share the key: they
             // become one sample. Increases add up, the readings are the later poll's, and the
             // kind and power are those of whichever counted as production (the later one if
             // both did). An unused input stays NULL: NULL + NULL is NULL.
             " ON CONFLICT (time, inverter_id) DO UPDATE SET"
             " uptime_s = excluded.uptime_s,"
             " kind = CASE WHEN excluded.kind IN (1, 2) AND kind IN (1, 2) THEN max(kind, excluded.kind)"
             "   WHEN excluded.kind IN (1, 2) OR kind NOT IN (1, 2) THEN excluded.kind ELSE kind END,"
             " counter1 = excluded.counter1, energy1_mwh = energy1_mwh + excluded.energy1_mwh,"
             " power1_dw = CASE WHEN excluded.kind IN (1, 2) OR kind NOT IN (1, 2) THEN excluded.power1_dw"
             "   ELSE power1_dw END,"
             " dc_voltage1_cv = excluded.dc_voltage1_cv, dc_current1_ma = excluded.dc_current1_ma,"
             " counter2 = excluded.counter2, energy2_mwh = energy2_mwh + excluded.energy2_mwh,"
             " power2_dw = CASE WHEN excluded.kind IN (1, 2) OR kind NOT IN (1, 2) THEN excluded.power2_dw"
             "   ELSE power2_dw END,"
             " dc_voltage2_cv = excluded.dc_voltage2_cv, dc_current2_ma = excluded.dc_current2_ma,"
             " counter3 = excluded.counter3, energy3_mwh = energy3_mwh + excluded.energy3_mwh,"
             " power3_dw = CASE WHEN excluded.kind IN (1, 2) OR kind NOT IN (1, 2) THEN excluded.power3_dw"
             "   ELSE power3_dw END,"
             " dc_voltage3_cv = excluded.dc_voltage3_cv, dc_current3_ma = excluded.dc_current3_ma,"
             " counter4 = excluded.counter4, energy4_mwh = energy4_mwh + excluded.energy4_mwh,"
             " power4_dw = CASE WHEN excluded.kind IN (1, 2) OR kind NOT IN (1, 2) THEN excluded.power4_dw"
             "   ELSE power4_dw END,"
             " dc_voltage4_cv = excluded.dc_voltage4_cv, dc_current4_ma = excluded.dc_current4_ma,"
             " temperature_ddeg = excluded.temperature_ddeg, frequency_mhz = excluded.frequency_mhz,"
             " ac_voltage_cv = excluded.ac_voltage_cv, link_quality = excluded.link_quality";
    case Sql::SampleExists: return "SELECT EXISTS (SELECT 1 FROM sample WHERE time = ?1 AND inverter_id = ?2)";
    case Sql::UpsertInverterDay:
      // An unused input is bound as NULL and stays NULL; coalesce() lets a used input
      // start from a row that set_day_total created without samples.
      return "INSERT INTO inverter_day(inverter_id, day, energy_mwh, peak_power_dw, peak_time, samples,"
             " input1_mwh, input1_peak_dw, input1_peak_time, input2_mwh, input2_peak_dw, input2_peak_time,"
             " input3_mwh, input3_peak_dw, input3_peak_time, input4_mwh, input4_peak_dw, input4_peak_time)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?18, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
             " ON CONFLICT (inverter_id, day) DO UPDATE SET"
             " energy_mwh = energy_mwh + excluded.energy_mwh,"
             " peak_time = CASE WHEN excluded.peak_power_dw > peak_power_dw THEN excluded.peak_time ELSE peak_time END,"
             " peak_power_dw = max(peak_power_dw, excluded.peak_power_dw),"
             " samples = samples + excluded.samples,"
             " input1_mwh = coalesce(input1_mwh, 0) + excluded.input1_mwh,"
             " input1_peak_time = CASE WHEN excluded.input1_peak_dw > coalesce(input1_peak_dw, -1)"
             "   THEN excluded.input1_peak_time ELSE input1_peak_time END,"
             " input1_peak_dw = max(coalesce(input1_peak_dw, -1), excluded.input1_peak_dw),"
             " input2_mwh = coalesce(input2_mwh, 0) + excluded.input2_mwh,"
             " input2_peak_time = CASE WHEN excluded.input2_peak_dw > coalesce(input2_peak_dw, -1)"
             "   THEN excluded.input2_peak_time ELSE input2_peak_time END,"
             " input2_peak_dw = max(coalesce(input2_peak_dw, -1), excluded.input2_peak_dw),"
             " input3_mwh = coalesce(input3_mwh, 0) + excluded.input3_mwh,"
             " input3_peak_time = CASE WHEN excluded.input3_peak_dw > coalesce(input3_peak_dw, -1)"
             "   THEN excluded.input3_peak_time ELSE input3_peak_time END,"
             " input3_peak_dw = max(coalesce(input3_peak_dw, -1), excluded.input3_peak_dw),"
             " input4_mwh = coalesce(input4_mwh, 0) + excluded.input4_mwh,"
             " input4_peak_time = CASE WHEN excluded.input4_peak_dw > coalesce(input4_peak_dw, -1)"
             "   THEN excluded.input4_peak_time ELSE input4_peak_time END,"
             " input4_peak_dw = max(coalesce(input4_peak_dw, -1), excluded.input4_peak_dw)";
    case Sql::AddInverterMonth:
      return "INSERT INTO inverter_month(inverter_id, month, energy_mwh) VALUES (?1, ?2, ?3)"
             " ON CONFLICT (inverter_id, month) DO UPDATE SET energy_mwh = energy_mwh + excluded.energy_mwh";
    case Sql::AppendInverterCurve:
      // `||` on blobs yields text of the same bytes; the CAST keeps it a blob so that
      // length() and readers see every byte, zeros included.
      return "INSERT INTO inverter_curve(day, inverter_id, points) VALUES (?1, ?2, ?3)"
             " ON CONFLICT (day, inverter_id) DO UPDATE SET points = CAST(points || excluded.points AS BLOB)";
    case Sql::AddLifetime:
      return "UPDATE lifetime SET input1_mwh = input1_mwh + ?2, input2_mwh = input2_mwh + ?3,"
             " input3_mwh = input3_mwh + ?4, input4_mwh = input4_mwh + ?5 WHERE inverter_id = ?1";
    case Sql::SelectLifetime:
      return "SELECT input1_mwh, input2_mwh, input3_mwh, input4_mwh FROM lifetime WHERE inverter_id = ?1";
    case Sql::SetLifetime:
      return "UPDATE lifetime SET input1_mwh = ?2, input2_mwh = ?3, input3_mwh = ?4, input4_mwh = ?5"
             " WHERE inverter_id = ?1";
    case Sql::UpsertState:
      return "INSERT INTO inverter_state(inverter_id, updated_s, state) VALUES (?1, ?2, ?3)"
             " ON CONFLICT (inverter_id) DO UPDATE SET updated_s = excluded.updated_s, state = excluded.state";
    case Sql::SelectState: return "SELECT updated_s, state FROM inverter_state WHERE inverter_id = ?1";
    case Sql::UpsertSiteDay:
      return "INSERT INTO site_day(day, energy_mwh, peak_power_dw, peak_time, first_time, last_time)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (day) DO UPDATE SET"
             " energy_mwh = energy_mwh + excluded.energy_mwh,"
             " peak_time = CASE WHEN excluded.peak_power_dw > peak_power_dw THEN excluded.peak_time ELSE peak_time END,"
             " peak_power_dw = max(peak_power_dw, excluded.peak_power_dw),"
             " first_time = coalesce(min(first_time, excluded.first_time), excluded.first_time),"
             " last_time = coalesce(max(last_time, excluded.last_time), excluded.last_time)";
    case Sql::AddSiteDay:
      return "INSERT INTO site_day(day, energy_mwh, peak_power_dw, peak_time) VALUES (?1, ?2, 0, 0)"
             " ON CONFLICT (day) DO UPDATE SET energy_mwh = energy_mwh + excluded.energy_mwh";
    case Sql::AddSiteMonth:
      return "INSERT INTO site_month(month, energy_mwh) VALUES (?1, ?2)"
             " ON CONFLICT (month) DO UPDATE SET energy_mwh = energy_mwh + excluded.energy_mwh";
    case Sql::AppendSiteCurve:
      return "INSERT INTO site_curve(day, points) VALUES (?1, ?2)"
             " ON CONFLICT (day) DO UPDATE SET points = CAST(points || excluded.points AS BLOB)";
    case Sql::InsertEvent: return "INSERT INTO event(time, level, source, message) VALUES (?1, ?2, ?3, ?4)";
    case Sql::SelectEvents:
      return "SELECT id, time, level, source, message FROM event WHERE time BETWEEN ?1 AND ?2 AND level >= ?3"
             " ORDER BY time DESC, id DESC LIMIT ?4";
    case Sql::InsertAudit:
      return "INSERT INTO audit(time, actor, action, reason, old_value, new_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    case Sql::InsertCorrection:
      // The value is stored as JSON when it is JSON, as a JSON string otherwise, and "" as
      // null: the engine's text never makes the row unreadable as JSON.
      return "INSERT INTO audit(time, actor, action, reason, old_value, new_value) VALUES (?1, ?2, ?3, ?4,"
             " json_object('serial', ?5, 'value', CASE WHEN ?6 IS NULL OR ?6 = '' THEN NULL"
             "   WHEN json_valid(?6) THEN json(?6) ELSE ?6 END),"
             " json_object('serial', ?5, 'value', CASE WHEN ?7 IS NULL OR ?7 = '' THEN NULL"
             "   WHEN json_valid(?7) THEN json(?7) ELSE ?7 END))";
    case Sql::SelectAudit:
      // By time, not id: a merged backup's entries get new ids but keep their times.
      return "SELECT id, time, actor, action, reason, old_value, new_value FROM audit"
             " ORDER BY time DESC, id DESC LIMIT ?1";
    case Sql::SelectSiteCurve: return "SELECT points FROM site_curve WHERE day = ?1";
    case Sql::SelectInverterCurves:
      return "SELECT inverter_id, points FROM inverter_curve WHERE day = ?1 ORDER BY inverter_id";
    case Sql::SelectInverterCurve: return "SELECT points FROM inverter_curve WHERE day = ?1 AND inverter_id = ?2";
    case Sql::SelectSiteDays:
      return "SELECT day, energy_mwh FROM site_day WHERE day BETWEEN ?1 AND ?2 ORDER BY day";
    case Sql::SelectInverterDays:
      return "SELECT day, energy_mwh FROM inverter_day WHERE inverter_id = ?1 AND day BETWEEN ?2 AND ?3"
             " ORDER BY day";
    case Sql::SelectSiteMonths:
      return "SELECT month, energy_mwh FROM site_month WHERE month BETWEEN ?1 AND ?2 ORDER BY month";
    case Sql::SelectInverterMonths:
      return "SELECT month, energy_mwh FROM inverter_month WHERE inverter_id = ?1 AND month BETWEEN ?2 AND ?3"
             " ORDER BY month";
    case Sql::SelectSiteDayStats:
      return "SELECT day, energy_mwh, peak_power_dw, peak_time FROM site_day WHERE day BETWEEN ?1 AND ?2"
             " ORDER BY day";
    case Sql::SelectInverterDayStats:
      return "SELECT day, energy_mwh, peak_power_dw, peak_time FROM inverter_day"
             " WHERE inverter_id = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day";
    case Sql::SelectInverterDay:
      return "SELECT energy_mwh, edited, samples FROM inverter_day WHERE inverter_id = ?1 AND day = ?2";
    case Sql::SetInverterDayTotal:
      return "INSERT INTO inverter_day(inverter_id, day, energy_mwh, peak_power_dw, peak_time, samples, edited)"
             " VALUES (?1, ?2, ?3, 0, 0, 0, 1)"
             " ON CONFLICT (inverter_id, day) DO UPDATE SET energy_mwh = excluded.energy_mwh, edited = 1";
    case Sql::DeleteOldSamples:
      return "DELETE FROM sample WHERE (time, inverter_id) IN"
             " (SELECT time, inverter_id FROM sample WHERE time < ?1 ORDER BY time LIMIT ?2)";
    case Sql::DeleteOldEvents:
      return "DELETE FROM event WHERE id IN (SELECT id FROM event WHERE time < ?1 ORDER BY time LIMIT ?2)";
    // Corrections: rare, but prepared once like everything else.
    case Sql::SelectDaysOf: return "SELECT day, energy_mwh FROM inverter_day WHERE inverter_id = ?1";
    case Sql::DeleteSamplesOf: return "DELETE FROM sample WHERE inverter_id = ?1";
    case Sql::DeleteDaysOf: return "DELETE FROM inverter_day WHERE inverter_id = ?1";
    case Sql::DeleteMonthsOf: return "DELETE FROM inverter_month WHERE inverter_id = ?1";
    case Sql::DeleteCurvesOf: return "DELETE FROM inverter_curve WHERE inverter_id = ?1";
    case Sql::DeleteStateOf: return "DELETE FROM inverter_state WHERE inverter_id = ?1";
    case Sql::ZeroLifetimeOf:
      return "UPDATE lifetime SET input1_mwh = 0, input2_mwh = 0, input3_mwh = 0, input4_mwh = 0 WHERE inverter_id = ?1";
    case Sql::SumDay: return "SELECT count(*), coalesce(sum(energy_mwh), 0) FROM inverter_day WHERE day = ?1";
    case Sql::DeleteSiteDay: return "DELETE FROM site_day WHERE day = ?1";
    case Sql::DeleteSiteCurve: return "DELETE FROM site_curve WHERE day = ?1";
    case Sql::RebuildSiteDay:
      return "UPDATE site_day SET energy_mwh = ?2, peak_power_dw = ?3, peak_time = ?4 WHERE day = ?1";
    case Sql::ReplaceSiteCurve: return "UPDATE site_curve SET points = ?2 WHERE day = ?1";
    case Sql::DeleteSiteMonth: return "DELETE FROM site_month WHERE month = ?1";
    case Sql::RebuildSiteMonth:
      return "INSERT INTO site_month(month, energy_mwh) SELECT ?1, sum(energy_mwh) FROM site_day"
             " WHERE day BETWEEN ?1 * 100 + 1 AND ?1 * 100 + 31 HAVING count(*) > 0";
    case Sql::Count: break;
  }
  return "";
}
// NOLINTEND(readability-function-size)

}  // namespace apsecu::store::detail
