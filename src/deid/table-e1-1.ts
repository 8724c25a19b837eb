/**
 * DICOM PS3.15 Annex E, Table E.1-1 "Application Level Confidentiality Profile Attributes", as data:
 * one line per attribute: tag (hex, or 50XXXXXX / 60XXeeee for repeating groups, PRIVATE for odd
 * groups), the Basic Profile action, the actions of the options that change it, and the name.
 * Actions: D dummy value, Z zero length (or dummy), X remove, K keep, C clean, U replace UID; compound
 * ones (X/Z, X/D, X/Z/D, Z/D, X/Z/U*) depend on the attribute's type in its IOD. Options: safe (Retain
 * Safe Private), uids (Retain UIDs), device (Retain Device Identity), institution (Retain Institution
 * Identity), patient (Retain Patient Characteristics), fulldates / moddates (Retain Longitudinal
 * Temporal Information with Full / Modified Dates), desc (Clean Descriptors), struct (Clean Structured
 * Content), graph (Clean Graphics).
 *
 * Transcribed from the standard's web edition of January 2025 (as scraped into
 * innolitics/dicom-standard, standard/confidentiality_profile_attributes.json): 621 attributes.
 */
export const TABLE_E1_1 = `
00001000 X uids=K Affected SOP Instance UID
00001001 U uids=K Requested SOP Instance UID
00020003 U uids=K Media Storage SOP Instance UID
00041511 U uids=K Referenced SOP Instance UID in File
00080012 X/D fulldates=K,moddates=C Instance Creation Date
00080013 X/Z/D fulldates=K,moddates=C Instance Creation Time
00080014 U uids=K Instance Creator UID
00080015 X fulldates=K,moddates=C Instance Coercion DateTime
00080017 U uids=K Acquisition UID
00080018 U uids=K SOP Instance UID
00080019 U uids=K Pyramid UID
00080020 Z fulldates=K,moddates=C Study Date
00080021 X/D fulldates=K,moddates=C Series Date
00080022 X/Z fulldates=K,moddates=C Acquisition Date
00080023 Z/D fulldates=K,moddates=C Content Date
00080024 X fulldates=K,moddates=C Overlay Date
00080025 X fulldates=K,moddates=C Curve Date
0008002A X/Z/D fulldates=K,moddates=C Acquisition DateTime
00080030 Z fulldates=K,moddates=C Study Time
00080031 X/D fulldates=K,moddates=C Series Time
00080032 X/Z fulldates=K,moddates=C Acquisition Time
00080033 Z/D fulldates=K,moddates=C Content Time
00080034 X fulldates=K,moddates=C Overlay Time
00080035 X fulldates=K,moddates=C Curve Time
00080050 Z - Accession Number
00080054 X device=C Retrieve AE Title
00080055 X device=C Station AE Title
00080058 U uids=K Failed SOP Instance UID List
00080080 X/Z/D institution=K Institution Name
00080081 X institution=K Institution Address
00080082 X/Z/D institution=K Institution Code Sequence
00080090 Z - Referring Physician's Name
00080092 X - Referring Physician's Address
00080094 X - Referring Physician's Telephone Numbers
00080096 X - Referring Physician Identification Sequence
0008009C Z - Consulting Physician's Name
0008009D X - Consulting Physician Identification Sequence
00080106 D fulldates=K,moddates=C Context Group Version
00080107 D fulldates=K,moddates=C Context Group Local Version
00080201 X fulldates=K,moddates=C Timezone Offset From UTC
00081000 X device=C Network ID
00081010 X/Z/D device=K Station Name
00081030 X desc=C Study Description
0008103E X desc=C Series Description
00081040 X institution=K Institutional Department Name
00081041 X institution=K Institutional Department Type Code Sequence
00081048 X - Physician(s) of Record
00081049 X - Physician(s) of Record Identification Sequence
00081050 X - Performing Physician's Name
00081052 X - Performing Physician Identification Sequence
00081060 X - Name of Physician(s) Reading Study
00081062 X - Physician(s) Reading Study Identification Sequence
00081070 X/Z/D - Operators' Name
00081072 X/D - Operator Identification Sequence
00081080 X desc=C Admitting Diagnoses Description
00081084 X desc=C Admitting Diagnoses Code Sequence
00081088 X desc=C Pyramid Description
00081110 X/Z uids=K Referenced Study Sequence
00081111 X/Z/D uids=K Referenced Performed Procedure Step Sequence
00081120 X uids=K Referenced Patient Sequence
00081140 X/Z/U* uids=K Referenced Image Sequence
00081155 U uids=K Referenced SOP Instance UID
00081195 U uids=K Transaction UID
00082111 X desc=C Derivation Description
00082112 X/Z/U* uids=K Source Image Sequence
00083010 U uids=K Irradiation Event UID
00084000 X desc=C Identifying Comments
00100010 Z - Patient's Name
00100020 Z/D - Patient ID
00100021 X - Issuer of Patient ID
00100030 Z - Patient's Birth Date
00100032 X - Patient's Birth Time
00100040 Z patient=K Patient's Sex
00100050 X - Patient's Insurance Plan Code Sequence
00100101 X - Patient's Primary Language Code Sequence
00100102 X - Patient's Primary Language Modifier Code Sequence
00101000 X - Other Patient IDs
00101001 X - Other Patient Names
00101002 X - Other Patient IDs Sequence
00101005 X - Patient's Birth Name
00101010 X patient=K Patient's Age
00101020 X patient=K Patient's Size
00101030 X patient=K Patient's Weight
00101040 X - Patient's Address
00101050 X - Insurance Plan Identification
00101060 X - Patient's Mother's Birth Name
00101080 X - Military Rank
00101081 X - Branch of Service
00101090 X - Medical Record Locator
00101100 X - Referenced Patient Photo Sequence
00102000 X desc=C Medical Alerts
00102110 X patient=C,desc=C Allergies
00102150 X - Country of Residence
00102152 X - Region of Residence
00102154 X - Patient's Telephone Numbers
00102155 X - Patient's Telecom Information
00102160 X patient=K Ethnic Group
00102180 X desc=C Occupation
001021A0 X patient=K Smoking Status
001021B0 X desc=C Additional Patient History
001021C0 X patient=K Pregnancy Status
001021D0 X fulldates=K,moddates=C Last Menstrual Date
001021F0 X - Patient's Religious Preference
00102203 X/Z patient=K Patient's Sex Neutered
00102297 X - Responsible Person
00102299 X - Responsible Organization
00104000 X desc=C Patient Comments
00120010 D - Clinical Trial Sponsor Name
00120020 D - Clinical Trial Protocol ID
00120021 Z - Clinical Trial Protocol Name
00120022 X - Issuer of Clinical Trial Protocol ID
00120023 X - Other Clinical Trial Protocol IDs Sequence
00120030 Z institution=K Clinical Trial Site ID
00120031 Z institution=K Clinical Trial Site Name
00120032 X - Issuer of Clinical Trial Site ID
00120040 D - Clinical Trial Subject ID
00120041 X - Issuer of Clinical Trial Subject ID
00120042 D - Clinical Trial Subject Reading ID
00120043 X - Issuer of Clinical Trial Subject Reading ID
00120050 Z - Clinical Trial Time Point ID
00120051 X desc=C Clinical Trial Time Point Description
00120055 X - Issuer of Clinical Trial Time Point ID
00120060 Z institution=K Clinical Trial Coordinating Center Name
00120071 X - Clinical Trial Series ID
00120072 X desc=C Clinical Trial Series Description
00120073 X - Issuer of Clinical Trial Series ID
00120081 D institution=K Clinical Trial Protocol Ethics Committee Name
00120082 X - Clinical Trial Protocol Ethics Committee Approval Number
00120086 X fulldates=K,moddates=C Ethics Committee Approval Effectiveness Start Date
00120087 X fulldates=K,moddates=C Ethics Committee Approval Effectiveness End Date
0014407C X device=K,fulldates=K,moddates=C Calibration Time
0014407E X device=K,fulldates=K,moddates=C Calibration Date
0016002B X desc=C Maker Note
0016004B X desc=C Device Setting Description
0016004D X - Camera Owner Name
0016004E X device=K Lens Specification
0016004F X device=K Lens Make
00160050 X device=K Lens Model
00160051 X device=K Lens Serial Number
00160070 X - GPS Version ID
00160071 X - GPS Latitude Ref
00160072 X - GPS Latitude
00160073 X - GPS Longitude Ref
00160074 X - GPS Longitude
00160075 X - GPS Altitude Ref
00160076 X - GPS Altitude
00160077 X - GPS Time Stamp
00160078 X - GPS Satellites
00160079 X - GPS Status
0016007A X - GPS Measure Mode
0016007B X - GPS DOP
0016007C X - GPS Speed Ref
0016007D X - GPS Speed
0016007E X - GPS Track Ref
0016007F X - GPS Track
00160080 X - GPS Img Direction Ref
00160081 X - GPS Img Direction
00160082 X - GPS Map Datum
00160083 X - GPS Dest Latitude Ref
00160084 X - GPS Dest Latitude
00160085 X - GPS Dest Longitude Ref
00160086 X - GPS Dest Longitude
00160087 X - GPS Dest Bearing Ref
00160088 X - GPS Dest Bearing
00160089 X - GPS Dest Distance Ref
0016008A X - GPS Dest Distance
0016008B X - GPS Processing Method
0016008C X - GPS Area Information
0016008D X fulldates=K,moddates=C GPS Date Stamp
0016008E X - GPS Differential
00180010 Z/D desc=C Contrast/Bolus Agent
00180027 X fulldates=K,moddates=C Intervention Drug Stop Time
00180035 X fulldates=K,moddates=C Intervention Drug Start Time
00181000 X/Z/D device=K Device Serial Number
00181002 U uids=K,device=K Device UID
00181004 X device=K Plate ID
00181005 X device=K Generator ID
00181007 X device=K Cassette ID
00181008 X device=K Gantry ID
00181009 X device=K Unique Device Identifier
0018100A X device=K UDI Sequence
0018100B U uids=K,device=K Manufacturer's Device Class UID
00181012 X fulldates=K,moddates=C Date of Secondary Capture
00181014 X fulldates=K,moddates=C Time of Secondary Capture
00181030 X/D desc=C Protocol Name
00181042 X fulldates=K,moddates=C Contrast/Bolus Start Time
00181043 X fulldates=K,moddates=C Contrast/Bolus Stop Time
00181072 X fulldates=K,moddates=C Radiopharmaceutical Start Time
00181073 X fulldates=K,moddates=C Radiopharmaceutical Stop Time
00181078 X fulldates=K,moddates=C Radiopharmaceutical Start DateTime
00181079 X fulldates=K,moddates=C Radiopharmaceutical Stop DateTime
001811BB D desc=C Acquisition Field Of View Label
00181200 X device=K,fulldates=K,moddates=C Date of Last Calibration
00181201 X device=K,fulldates=K,moddates=C Time of Last Calibration
00181202 X device=K,fulldates=K,moddates=C DateTime of Last Calibration
00181203 Z device=K,fulldates=K,moddates=C Calibration DateTime
00181204 X device=K,fulldates=K,moddates=C Date of Manufacture
00181205 X device=K,fulldates=K,moddates=C Date of Installation
00181400 X/D desc=C Acquisition Device Processing Description
00182042 U uids=K Target UID
00184000 X desc=C Acquisition Comments
00185011 X device=K Transducer Identification Sequence
0018700A X/D device=K Detector ID
0018700C X/D device=K,fulldates=K,moddates=C Date of Last Detector Calibration
0018700E X/D device=K,fulldates=K,moddates=C Time of Last Detector Calibration
00189074 D fulldates=K,moddates=C Frame Acquisition DateTime
00189151 D fulldates=K,moddates=C Frame Reference DateTime
00189185 X desc=C Respiratory Motion Compensation Technique Description
00189367 D device=K X-Ray Source ID
00189369 D fulldates=K,moddates=C Source Start DateTime
0018936A D fulldates=K,moddates=C Source End DateTime
00189371 D device=K X-Ray Detector ID
00189373 X device=K X-Ray Detector Label
0018937B X desc=C Multi-energy Acquisition Description
0018937F X desc=C Decomposition Description
00189424 X desc=C Acquisition Protocol Description
00189516 X/D fulldates=K,moddates=C Start Acquisition DateTime
00189517 X/D fulldates=K,moddates=C End Acquisition DateTime
00189623 D fulldates=K,moddates=C Functional Sync Pulse
00189701 D fulldates=K,moddates=C Decay Correction DateTime
00189804 D fulldates=K,moddates=C Exclusion Start DateTime
00189919 Z/D fulldates=K,moddates=C Instruction Performed DateTime
00189937 X desc=C Requested Series Description
0018A002 X fulldates=K,moddates=C Contribution DateTime
0018A003 X desc=C Contribution Description
0020000D U uids=K Study Instance UID
0020000E U uids=K Series Instance UID
00200010 Z - Study ID
00200027 X desc=C Pyramid Label
00200052 U uids=K Frame of Reference UID
00200200 U uids=K Synchronization Frame of Reference UID
00203401 X device=K Modifying Device ID
00203403 X fulldates=K,moddates=C Modified Image Date
00203405 X fulldates=K,moddates=C Modified Image Time
00203406 X - Modified Image Description
00204000 X desc=C Image Comments
00209158 X desc=C Frame Comments
00209161 U uids=K Concatenation UID
00209164 U uids=K Dimension Organization UID
00281199 U uids=K Palette Color Lookup Table UID
00281214 U uids=K Large Palette Color Lookup Table UID
00284000 X - Image Presentation Comments
00320012 X - Study ID Issuer
00320032 X fulldates=K,moddates=C Study Verified Date
00320033 X fulldates=K,moddates=C Study Verified Time
00320034 X fulldates=K,moddates=C Study Read Date
00320035 X fulldates=K,moddates=C Study Read Time
00321000 X fulldates=K,moddates=C Scheduled Study Start Date
00321001 X fulldates=K,moddates=C Scheduled Study Start Time
00321010 X fulldates=K,moddates=C Scheduled Study Stop Date
00321011 X fulldates=K,moddates=C Scheduled Study Stop Time
00321020 X device=K Scheduled Study Location
00321021 X device=C Scheduled Study Location AE Title
00321030 X desc=C Reason for Study
00321032 X - Requesting Physician
00321033 X - Requesting Service
00321040 X fulldates=K,moddates=C Study Arrival Date
00321041 X fulldates=K,moddates=C Study Arrival Time
00321050 X fulldates=K,moddates=C Study Completion Date
00321051 X fulldates=K,moddates=C Study Completion Time
00321060 X/Z desc=C Requested Procedure Description
00321066 X desc=C Reason for Visit
00321067 X desc=C Reason for Visit Code Sequence
00321070 X desc=C Requested Contrast Agent
00324000 X desc=C Study Comments
00340001 D - Flow Identifier Sequence
00340002 D - Flow Identifier
00340005 D - Source Identifier
00340007 D fulldates=K,moddates=C Frame Origin Timestamp
00380004 X - Referenced Patient Alias Sequence
00380010 X - Admission ID
00380011 X - Issuer of Admission ID
00380014 X - Issuer of Admission ID Sequence
0038001A X fulldates=K,moddates=C Scheduled Admission Date
0038001B X fulldates=K,moddates=C Scheduled Admission Time
0038001C X fulldates=K,moddates=C Scheduled Discharge Date
0038001D X fulldates=K,moddates=C Scheduled Discharge Time
0038001E X - Scheduled Patient Institution Residence
00380020 X fulldates=K,moddates=C Admitting Date
00380021 X fulldates=K,moddates=C Admitting Time
00380030 X fulldates=K,moddates=C Discharge Date
00380032 X fulldates=K,moddates=C Discharge Time
00380040 X desc=C Discharge Diagnosis Description
00380050 X patient=C Special Needs
00380060 X - Service Episode ID
00380061 X - Issuer of Service Episode ID
00380062 X desc=C Service Episode Description
00380064 X - Issuer of Service Episode ID Sequence
00380300 X - Current Patient Location
00380400 X - Patient's Institution Residence
00380500 X patient=C,desc=C Patient State
00384000 X desc=C Visit Comments
003A0310 U uids=K Multiplex Group UID
003A0314 D fulldates=K,moddates=C Impedance Measurement DateTime
003A0329 X desc=C Waveform Filter Description
003A032B X desc=C Filter Lookup Table Description
00400001 X device=C Scheduled Station AE Title
00400002 X fulldates=K,moddates=C Scheduled Procedure Step Start Date
00400003 X fulldates=K,moddates=C Scheduled Procedure Step Start Time
00400004 X fulldates=K,moddates=C Scheduled Procedure Step End Date
00400005 X fulldates=K,moddates=C Scheduled Procedure Step End Time
00400006 X - Scheduled Performing Physician's Name
00400007 X desc=C Scheduled Procedure Step Description
00400009 X - Scheduled Procedure Step ID
0040000B X - Scheduled Performing Physician Identification Sequence
00400010 X device=K Scheduled Station Name
00400011 X device=K Scheduled Procedure Step Location
00400012 X patient=C Pre-Medication
00400241 X device=C Performed Station AE Title
00400242 X device=K Performed Station Name
00400243 X - Performed Location
00400244 X fulldates=K,moddates=C Performed Procedure Step Start Date
00400245 X fulldates=K,moddates=C Performed Procedure Step Start Time
00400250 X fulldates=K,moddates=C Performed Procedure Step End Date
00400251 X fulldates=K,moddates=C Performed Procedure Step End Time
00400253 X - Performed Procedure Step ID
00400254 X desc=C Performed Procedure Step Description
00400275 X desc=C Request Attributes Sequence
00400280 X desc=C Comments on the Performed Procedure Step
00400310 X desc=C Comments on Radiation Dose
0040050A X - Specimen Accession Number
00400512 D - Container Identifier
00400513 Z - Issuer of the Container Identifier Sequence
0040051A X desc=C Container Description
00400551 D - Specimen Identifier
00400554 U uids=K Specimen UID
00400555 X/Z struct=C Acquisition Context Sequence
00400562 Z - Issuer of the Specimen Identifier Sequence
00400600 X desc=C Specimen Short Description
00400602 X desc=C Specimen Detailed Description
00400610 Z struct=C Specimen Preparation Sequence
004006FA X - Slide Identifier
00401001 X - Requested Procedure ID
00401002 X desc=C Reason for the Requested Procedure
00401004 X - Patient Transport Arrangements
00401005 X - Requested Procedure Location
0040100A X desc=C Reason for Requested Procedure Code Sequence
00401010 X - Names of Intended Recipients of Results
00401011 X - Intended Recipients of Results Identification Sequence
00401101 D - Person Identification Code Sequence
00401102 X - Person's Address
00401103 X - Person's Telephone Numbers
00401104 X - Person's Telecom Information
00401400 X desc=C Requested Procedure Comments
00402001 X desc=C Reason for the Imaging Service Request
00402004 X fulldates=K,moddates=C Issue Date of Imaging Service Request
00402005 X fulldates=K,moddates=C Issue Time of Imaging Service Request
00402008 X - Order Entered By
00402009 X - Order Enterer's Location
00402010 X - Order Callback Phone Number
00402011 X - Order Callback Telecom Information
00402016 Z - Placer Order Number / Imaging Service Request
00402017 Z - Filler Order Number / Imaging Service Request
00402400 X desc=C Imaging Service Request Comments
00403001 X - Confidentiality Constraint on Patient Data Description
00404005 X fulldates=K,moddates=C Scheduled Procedure Step Start DateTime
00404008 X fulldates=K,moddates=C Scheduled Procedure Step Expiration DateTime
00404010 X fulldates=K,moddates=C Scheduled Procedure Step Modification DateTime
00404011 X fulldates=K,moddates=C Expected Completion DateTime
00404023 U uids=K Referenced General Purpose Scheduled Procedure Step Transaction UID
00404025 X device=K Scheduled Station Name Code Sequence
00404027 X device=K Scheduled Station Geographic Location Code Sequence
00404028 X device=K Performed Station Name Code Sequence
00404030 X device=K Performed Station Geographic Location Code Sequence
00404034 X - Scheduled Human Performers Sequence
00404035 X - Actual Human Performers Sequence
00404036 X - Human Performer's Organization
00404037 X - Human Performer's Name
00404050 X fulldates=K,moddates=C Performed Procedure Step Start DateTime
00404051 X fulldates=K,moddates=C Performed Procedure Step End DateTime
00404052 X fulldates=K,moddates=C Procedure Step Cancellation DateTime
0040A023 X fulldates=K,moddates=C Findings Group Recording Date (Trial)
0040A024 X fulldates=K,moddates=C Findings Group Recording Time (Trial)
0040A027 D - Verifying Organization
0040A030 D fulldates=K,moddates=C Verification DateTime
0040A032 X/D fulldates=K,moddates=C Observation DateTime
0040A033 X fulldates=K,moddates=C Observation Start DateTime
0040A073 D - Verifying Observer Sequence
0040A075 D - Verifying Observer Name
0040A078 X - Author Observer Sequence
0040A07A X - Participant Sequence
0040A07C X - Custodial Organization Sequence
0040A082 Z fulldates=K,moddates=C Participation DateTime
0040A088 Z - Verifying Observer Identification Code Sequence
0040A110 X fulldates=K,moddates=C Date of Document or Verbal Transaction (Trial)
0040A112 X fulldates=K,moddates=C Time of Document Creation or Verbal Transaction (Trial)
0040A120 D fulldates=K,moddates=C DateTime
0040A121 D fulldates=K,moddates=C Date
0040A122 D fulldates=K,moddates=C Time
0040A123 D - Person Name
0040A124 U - UID
0040A13A D fulldates=K,moddates=C Referenced DateTime
0040A171 U uids=K Observation UID
0040A172 U uids=K Referenced Observation UID (Trial)
0040A192 X fulldates=K,moddates=C Observation Date (Trial)
0040A193 X fulldates=K,moddates=C Observation Time (Trial)
0040A307 X - Current Observer (Trial)
0040A352 X - Verbal Source (Trial)
0040A353 X - Address (Trial)
0040A354 X - Telephone Number (Trial)
0040A358 X - Verbal Source Identifier Code Sequence (Trial)
0040A402 U uids=K Observation Subject UID (Trial)
0040A730 D struct=C Content Sequence
0040DB06 X fulldates=K,moddates=C Template Version
0040DB07 X fulldates=K,moddates=C Template Local Version
0040DB0C U uids=K Template Extension Organization UID
0040DB0D U uids=K Template Extension Creator UID
0040E004 X fulldates=K,moddates=C HL7 Document Effective Time
00420011 D - Encapsulated Document
00440004 X fulldates=K,moddates=C Approval Status DateTime
0044000B X fulldates=K,moddates=C Product Expiration DateTime
00440010 X fulldates=K,moddates=C Substance Administration DateTime
00440104 D fulldates=K,moddates=C Assertion DateTime
00440105 X fulldates=K,moddates=C Assertion Expiration DateTime
0050001B X - Container Component ID
00500020 X device=K Device Description
00500021 X desc=C Long Device Description
00620021 U uids=K Tracking UID
00640003 U uids=K Source Frame of Reference UID
00686226 D fulldates=K,moddates=C Effective DateTime
00686270 D fulldates=K,moddates=C Information Issue DateTime
006A0003 D uids=K Annotation Group UID
006A0005 D desc=C Annotation Group Label
006A0006 X desc=C Annotation Group Description
00700001 D graph=C Graphic Annotation Sequence
00700082 X fulldates=K,moddates=C Presentation Creation Date
00700083 X fulldates=K,moddates=C Presentation Creation Time
00700084 Z/D - Content Creator's Name
00700086 X - Content Creator's Identification Code Sequence
0070031A U uids=K Fiducial UID
00701101 U uids=K Presentation Display Collection UID
00701102 U uids=K Presentation Sequence Collection UID
0072000A D fulldates=K,moddates=C Hanging Protocol Creation DateTime
0072005E D device=C Selector AE Value
0072005F D patient=K Selector AS Value
00720061 D fulldates=K,moddates=C Selector DA Value
00720063 D fulldates=K,moddates=C Selector DT Value
00720065 D - Selector OB Value
00720066 D desc=C Selector LO Value
00720068 D desc=C Selector LT Value
0072006A D - Selector PN Value
0072006B D fulldates=K,moddates=C Selector TM Value
0072006C D desc=C Selector SH Value
0072006D D - Selector UN Value
0072006E D desc=C Selector ST Value
00720070 D desc=C Selector UT Value
00720071 D - Selector UR Value
00741234 X device=C Receiving AE
00741236 X device=C Requesting AE
00880140 U uids=K Storage Media File-set UID
00880200 X - Icon Image Sequence (see Note 11)
00880904 X - Topic Title
00880906 X - Topic Subject
00880910 X - Topic Author
00880912 X - Topic Keywords
01000420 X fulldates=K,moddates=C SOP Authorization DateTime
04000100 U - Digital Signature UID
04000105 D fulldates=K,moddates=C Digital Signature DateTime
04000115 D - Certificate of Signer
04000310 X fulldates=K,moddates=C Certified Timestamp
04000402 X - Referenced Digital Signature Sequence
04000403 X - Referenced SOP Instance MAC Sequence
04000404 X - MAC
04000550 X - Modified Attributes Sequence
04000551 X - Nonconforming Modified Attributes Sequence
04000552 X - Nonconforming Data Element Value
04000561 X - Original Attributes Sequence
04000562 D fulldates=K,moddates=C Attribute Modification DateTime
04000563 D device=K Modifying System
04000564 Z institution=K Source of Previous Values
04000565 D desc=C Reason for the Attribute Modification
04000600 X - Instance Origin Status
20300020 X - Text String
21000040 X fulldates=K,moddates=C Creation Date
21000050 X fulldates=K,moddates=C Creation Time
21000070 X device=C Originator
21000140 D device=C Destination AE
22000002 X/Z desc=C Label Text
22000005 X/Z - Barcode Value
30020121 X desc=C Position Acquisition Template Name
30020123 X desc=C Position Acquisition Template Description
30060002 D desc=C Structure Set Label
30060004 X desc=C Structure Set Name
30060006 X desc=C Structure Set Description
30060008 Z fulldates=K,moddates=C Structure Set Date
30060009 Z fulldates=K,moddates=C Structure Set Time
30060024 U uids=K Referenced Frame of Reference UID
30060026 Z desc=C ROI Name
30060028 X desc=C ROI Description
3006002D X fulldates=K,moddates=C ROI DateTime
3006002E X fulldates=K,moddates=C ROI Observation DateTime
30060038 X desc=C ROI Generation Description
3006004D X - ROI Creator Sequence
3006004E X - ROI Interpreter Sequence
30060085 X desc=C ROI Observation Label
30060088 X desc=C ROI Observation Description
300600A6 Z - ROI Interpreter
300600C2 U uids=K Related Frame of Reference UID
30080024 D fulldates=K,moddates=C Treatment Control Point Date
30080025 D fulldates=K,moddates=C Treatment Control Point Time
30080054 X/D fulldates=K,moddates=C First Treatment Date
30080056 X/D fulldates=K,moddates=C Most Recent Treatment Date
30080105 X/Z device=K Source Serial Number
30080162 D fulldates=K,moddates=C Safe Position Exit Date
30080164 D fulldates=K,moddates=C Safe Position Exit Time
30080166 D fulldates=K,moddates=C Safe Position Return Date
30080168 D fulldates=K,moddates=C Safe Position Return Time
30080250 X/D fulldates=K,moddates=C Treatment Date
30080251 X/D fulldates=K,moddates=C Treatment Time
300A0002 D desc=C RT Plan Label
300A0003 X desc=C RT Plan Name
300A0004 X desc=C RT Plan Description
300A0006 X/D fulldates=K,moddates=C RT Plan Date
300A0007 X/D fulldates=K,moddates=C RT Plan Time
300A000B X desc=C Treatment Sites
300A000E X desc=C Prescription Description
300A0013 U uids=K Dose Reference UID
300A0016 X desc=C Dose Reference Description
300A0072 X desc=C Fraction Group Description
300A0083 U uids=K Referenced Dose Reference UID
300A00B2 X/Z device=K Treatment Machine Name
300A00C3 X desc=C Beam Description
300A00DD X desc=C Bolus Description
300A0196 X desc=C Fixation Device Description
300A01A6 X desc=C Shielding Device Description
300A01B2 X desc=C Setup Technique Description
300A0216 X device=K Source Manufacturer
300A022C D fulldates=K,moddates=C Source Strength Reference Date
300A022E D fulldates=K,moddates=C Source Strength Reference Time
300A02EB X desc=C Compensator Description
300A0608 D desc=C Treatment Position Group Label
300A0609 U uids=K Treatment Position Group UID
300A0611 Z - RT Accessory Holder Slot ID
300A0615 Z - RT Accessory Device Slot ID
300A0619 D desc=C Radiation Dose Identification Label
300A0623 D desc=C Radiation Dose In-Vivo Measurement Label
300A062A D desc=C RT Tolerance Set Label
300A0650 U uids=K Patient Setup UID
300A0676 X desc=C Equipment Frame of Reference Description
300A067C D desc=C Radiation Generation Mode Label
300A067D Z desc=C Radiation Generation Mode Description
300A0700 U uids=K Treatment Session UID
300A0734 D desc=C Treatment Tolerance Violation Description
300A0736 D fulldates=K,moddates=C Treatment Tolerance Violation DateTime
300A073A D fulldates=K,moddates=C Recorded RT Control Point DateTime
300A0741 D fulldates=K,moddates=C Interlock DateTime
300A0742 D desc=C Interlock Description
300A0760 D fulldates=K,moddates=C Override DateTime
300A0783 D desc=C Interlock Origin Description
300A0785 U uids=K Referenced Treatment Position Group UID
300A078E X desc=C Patient Treatment Preparation Procedure Parameter Description
300A0792 X desc=C Patient Treatment Preparation Method Description
300A0794 X desc=C Patient Setup Photo Description
300A079A X desc=C Displacement Reference Label
300C0113 X desc=C Reason for Omission Description
300C0127 D device=K,fulldates=K,moddates=C Beam Hold Transition DateTime
300E0004 Z fulldates=K,moddates=C Review Date
300E0005 Z fulldates=K,moddates=C Review Time
300E0008 X/Z - Reviewer Name
30100006 U uids=K Conceptual Volume UID
3010000B U uids=K Referenced Conceptual Volume UID
3010000F Z desc=C Conceptual Volume Combination Description
30100013 U uids=K Constituent Conceptual Volume UID
30100015 U uids=K Source Conceptual Volume UID
30100017 Z desc=C Conceptual Volume Description
3010001B Z - Device Alternate Identifier
3010002D D device=K Device Label
30100031 U uids=K Referenced Fiducials UID
30100033 D desc=C User Content Label
30100034 D desc=C User Content Long Label
30100035 D desc=C Entity Label
30100036 X desc=C Entity Name
30100037 X desc=C Entity Description
30100038 D desc=C Entity Long Label
3010003B U uids=K RT Treatment Phase UID
30100043 Z device=K Manufacturer's Device Identifier
3010004C X/D fulldates=K,moddates=C Intended Phase Start Date
3010004D X/D fulldates=K,moddates=C Intended Phase End Date
30100054 D desc=C RT Prescription Label
30100056 X/D desc=C RT Treatment Approach Label
3010005A Z desc=C RT Physician Intent Narrative
3010005C Z desc=C Reason for Superseding
30100061 X desc=C Prior Treatment Dose Description
3010006E U uids=K Dosimetric Objective UID
3010006F U uids=K Referenced Dosimetric Objective UID
30100077 X/D desc=C Treatment Site
3010007A Z desc=C Treatment Technique Notes
3010007B Z desc=C Prescription Notes
3010007F Z desc=C Fractionation Notes
30100081 Z desc=C Prescription Notes Sequence
30100085 X fulldates=K,moddates=C Intended Fraction Start Time
40000010 X - Arbitrary
40004000 X - Text Comments
40080040 X - Results ID
40080042 X - Results ID Issuer
40080100 X fulldates=K,moddates=C Interpretation Recorded Date
40080101 X fulldates=K,moddates=C Interpretation Recorded Time
40080102 X - Interpretation Recorder
40080108 X fulldates=K,moddates=C Interpretation Transcription Date
40080109 X fulldates=K,moddates=C Interpretation Transcription Time
4008010A X - Interpretation Transcriber
4008010B X desc=C Interpretation Text
4008010C X - Interpretation Author
40080111 X - Interpretation Approver Sequence
40080112 X fulldates=K,moddates=C Interpretation Approval Date
40080113 X fulldates=K,moddates=C Interpretation Approval Time
40080114 X - Physician Approving Interpretation
40080115 X desc=C Interpretation Diagnosis Description
40080118 X - Results Distribution List Sequence
40080119 X - Distribution Name
4008011A X - Distribution Address
40080200 X - Interpretation ID
40080202 X - Interpretation ID Issuer
40080300 X desc=C Impressions
40084000 X desc=C Results Comments
50XXXXXX X graph=C Curve Data
60XX3000 X graph=C Overlay Data
60XX4000 X graph=C Overlay Comments
FFFAFFFA X - Digital Signatures Sequence
FFFCFFFC X - Data Set Trailing Padding
PRIVATE X safe=C Private Attributes
`;
