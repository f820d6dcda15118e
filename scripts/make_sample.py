"""Write data/raw/sample_agenda_packet.pdf: a council agenda packet made up for the demo.

The City of Harbor Point and everything in the packet are invented. The packet has
what real packets have: an agenda of unrelated items, a staff report, and an
ordinance on surveillance technology, with a running header, a page footer and
"Packet Pg." stamps in the margin.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pdfgen import PAGE_BREAK, Layout, write_pdf  # noqa: E402

AGENDA = [
    "# CITY OF HARBOR POINT - REGULAR MEETING OF THE CITY COUNCIL",
    "Tuesday, March 10, 2026, 6:30 p.m., Council Chambers, 400 Tideway Avenue",
    "# 1. CALL TO ORDER AND ROLL CALL",
    "Mayor Okafor, Mayor Pro Tem Lindqvist, Councilmembers Arce, Benally and Whitcombe.",
    "# 2. PLEDGE OF ALLEGIANCE",
    "# 3. PUBLIC COMMENT",
    "Members of the public may address the Council on any item not on the agenda. Each speaker is limited to three minutes, and the Council may not act on items raised under public comment.",
    "# 4. CONSENT CALENDAR",
    "A. Approve the minutes of the regular meeting of February 24, 2026.",
    "B. Receive and file the warrant register for the period ending February 28, 2026, in the amount of $1,284,116.52.",
    "C. Award a construction contract to Pacific Trenchless Inc. for the Bayview sewer main rehabilitation project in an amount not to exceed $842,500, and authorize a contingency of ten percent.",
    "D. Adopt a resolution proclaiming April 2026 as Water Conservation Month in the City of Harbor Point.",
    "# 5. PUBLIC HEARINGS",
    "A. Zone text amendment ZTA 26-02 allowing accessory dwelling units of up to 1,000 square feet on lots larger than 7,500 square feet in the R-1 zone. Recommended action: open the hearing, take testimony, and introduce the ordinance by title only.",
    "# 6. NEW BUSINESS",
    "A. Introduction of Ordinance No. 1187 adding Chapter 9.64 to the Municipal Code concerning the acquisition and use of surveillance technology. Recommended action: introduce the ordinance and waive its full reading.",
    "B. Approve the purchase of two street sweepers from Coastline Municipal Equipment through a cooperative purchasing agreement for $612,000.",
    "# 7. ADJOURNMENT",
    "The next regular meeting of the City Council will be held on March 24, 2026.",
    PAGE_BREAK,
    "# STAFF REPORT",
    "TO: Honorable Mayor and Members of the City Council. FROM: Dana Whitfield, City Attorney. SUBJECT: Ordinance No. 1187 on surveillance technology.",
    "# RECOMMENDATION",
    "Staff recommends that the City Council introduce Ordinance No. 1187 and schedule its second reading for March 24, 2026.",
    "# BACKGROUND",
    "Over the past several years a number of cities have limited the use of facial recognition by their own departments. San Francisco adopted a ban in 2019, and Boston, Portland and several Massachusetts communities followed. Other jurisdictions chose a temporary pause instead of a permanent ban.",
    "The Police Department currently operates fixed cameras at three city parks and has asked for funding to pilot an unmanned aircraft program. No department of the City uses face recognition today.",
    "The proposed ordinance would forbid the City from using face recognition, limit the analysis of live camera feeds, pause the drone program while a task force studies it, require businesses to obtain consent before collecting biometric identifiers, and create an approval and reporting process for every other kind of surveillance technology.",
    "# FISCAL IMPACT",
    "The annual reporting requirement is expected to require approximately 120 hours of staff time per year, which can be absorbed within the existing budget of the City Clerk and the Police Department.",
    "# ATTACHMENTS",
    "Attachment A: Draft Ordinance No. 1187.",
    PAGE_BREAK,
    "# ORDINANCE NO. 1187",
    "AN ORDINANCE OF THE CITY COUNCIL OF THE CITY OF HARBOR POINT ADDING CHAPTER 9.64 TO THE HARBOR POINT MUNICIPAL CODE TO PROHIBIT THE USE OF FACE RECOGNITION AND TO REGULATE OTHER SURVEILLANCE TECHNOLOGY",
    "WHEREAS, face recognition systems have been shown to misidentify women and people with darker skin at higher rates than other people; and",
    "WHEREAS, several cities in California and Massachusetts have already prohibited their departments from using face recognition; and",
    "WHEREAS, the residents of Harbor Point expect their government to decide in public whether and how it watches them;",
    "NOW, THEREFORE, THE CITY COUNCIL OF THE CITY OF HARBOR POINT DOES ORDAIN AS FOLLOWS:",
    "Section 1. Chapter 9.64 is added to the Harbor Point Municipal Code to read as follows:",
    "9.64.010 Definitions.",
    "A. \"Face recognition\" means an automated or semi-automated process that identifies or verifies a person by comparing the features of the person's face with stored images.",
    "B. \"Surveillance technology\" means any electronic device, system or software designed to collect, retain or analyze audio, visual, location or biometric information about identifiable people.",
    "C. \"Department\" means any department, office, board or commission of the City, including the Police Department.",
    "9.64.020 Face recognition.",
    "A. No Department and no officer or employee of the City shall obtain, retain, request, access or use any face recognition system, or any information derived from a face recognition system.",
    "B. The inadvertent receipt of face recognition information is not a violation of subsection A if the Department did not request it, deletes it promptly and reports its receipt to the Council.",
    "9.64.030 Live camera feeds.",
    "The Police Department shall not use any automated system to identify or track people in live or streaming video from city cameras or body-worn cameras as events unfold. Review of recorded footage after an incident remains subject to Section 9.64.060.",
    "9.64.040 Unmanned aircraft.",
    "No Department shall deploy an unmanned aircraft system for any purpose until the Council receives the report of the Drone Task Force and adopts a resolution authorizing a program, and in no event before March 31, 2028.",
    "9.64.050 Biometric information held by businesses.",
    "A business located in the City may not collect, capture or store a customer's fingerprint, faceprint or other biometric identifier unless it first informs the customer in writing of the purpose and retention period and obtains the customer's written consent.",
    "9.64.060 Approval and reporting.",
    "A. Before acquiring any new surveillance technology, a Department shall submit a surveillance use policy and an impact report to the Council and obtain the Council's approval at a noticed public hearing.",
    "B. Each Department that uses approved surveillance technology shall present an annual report to the Council describing how the technology was used, what data was shared and with whom, and any complaints received.",
    "9.64.070 Enforcement.",
    "Any person injured by a violation of this chapter may bring an action for injunctive relief, and information obtained in violation of this chapter shall not be admissible in any proceeding.",
    "Section 2. Severability. If any part of this ordinance is held invalid by a court, the remaining parts shall continue in effect.",
    "Section 3. Effective date. This ordinance shall take effect thirty days after its adoption.",
    "PASSED, APPROVED AND ADOPTED this 24th day of March, 2026.",
    "Amara Okafor, Mayor. ATTEST: Lucia Ferrante, City Clerk.",
]


def main(out: Path = Path(__file__).resolve().parents[1] / "data" / "raw" / "sample_agenda_packet.pdf") -> None:
    layout = Layout(
        header="City of Harbor Point | City Council Agenda Packet | March 10, 2026",
        footer="Page {page} of {pages}",
        stamp="Packet Pg. {page}",
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    write_pdf(out, AGENDA, layout)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
