/**
 * Private attributes known to be safe from identity leakage: DICOM PS3.15 Table E.3.10-1 (the sample
 * list of the Retain Safe Private Option). One line per attribute: group, element byte within the
 * private block (xx00-xxFF), VR, private creator. Vendors do not guarantee these; the option keeps
 * them with their private creator and removes every other private attribute.
 */
export const SAFE_PRIVATE_TABLE = `
7053 00 DS Philips PET Private Group
7053 09 DS Philips PET Private Group
00E1 21 DS ELSCINT1
00E1 50 DS ELSCINT1
01E1 26 CS ELSCINT1
01F1 01 CS ELSCINT1
01F1 07 DS ELSCINT1
01F1 26 DS ELSCINT1
01F1 27 DS ELSCINT1
0019 23 DS GEMS_ACQU_01
0019 24 DS GEMS_ACQU_01
0019 27 DS GEMS_ACQU_01
0019 9E LO GEMS_ACQU_01
0043 27 SH GEMS_PARM_01
0045 01 SS GEMS_HELIOS_01
0045 02 FL GEMS_HELIOS_01
0903 10 US GEIIS PACS
0903 11 US GEIIS PACS
0903 12 US GEIIS PACS
2001 03 FL Philips Imaging DD 001
2001 04 CS Philips Imaging DD 001
0019 0C IS SIEMENS MR HEADER
0019 0D CS SIEMENS MR HEADER
0019 0E FD SIEMENS MR HEADER
0019 27 FD SIEMENS MR HEADER
0043 39 IS GEMS_PARM_01
0043 6F DS GEMS_PARM_01
0025 07 SL GEMS_SERS_01
7E01 01 LO HOLOGIC, Inc.
7E01 02 SH HOLOGIC, Inc.
7E01 10 SQ HOLOGIC, Inc.
7E01 11 SQ HOLOGIC, Inc.
7E01 12 OB HOLOGIC, Inc.
0099 01 UI NQHeader
0099 02 UI NQHeader
0099 04 SS NQHeader
0099 05 LT NQHeader
0099 10 FL NQHeader
0099 20 SH NQHeader
0099 21 FL NQHeader
0199 01 FL NQLeft
0199 02 FL NQLeft
0199 03 FL NQLeft
0199 04 FL NQLeft
0199 05 FL NQLeft
0199 06 FL NQLeft
0199 07 FL NQLeft
0199 08 FL NQLeft
0199 09 FL NQLeft
0199 0A FL NQLeft
0199 0B FL NQLeft
0199 0C FL NQLeft
0199 0D FL NQLeft
0199 0E FL NQLeft
0199 0F FL NQLeft
0199 10 FL NQLeft
0199 11 FL NQLeft
0199 12 FL NQLeft
0199 13 FL NQLeft
0199 14 FL NQLeft
0199 15 FL NQLeft
0199 16 FL NQLeft
0299 01 FL NQRight
0299 02 FL NQRight
0299 03 FL NQRight
0299 04 FL NQRight
0299 05 FL NQRight
0299 06 FL NQRight
0299 07 FL NQRight
0299 08 FL NQRight
0299 09 FL NQRight
0299 0A FL NQRight
0299 0B FL NQRight
0299 0C FL NQRight
0299 0D FL NQRight
0299 0E FL NQRight
0299 0F FL NQRight
0299 10 FL NQRight
0299 11 FL NQRight
0299 12 FL NQRight
0299 13 FL NQRight
0299 14 FL NQRight
0299 15 FL NQRight
0299 16 FL NQRight
2005 0D FL Philips MR Imaging DD 001
2005 0E FL Philips MR Imaging DD 001
0119 00 LO SIEMENS Ultrasound SC2000
0119 01 OB SIEMENS Ultrasound SC2000
0119 02 SQ SIEMENS Ultrasound SC2000
0119 03 SQ SIEMENS Ultrasound SC2000
0119 04 OB SIEMENS Ultrasound SC2000
0119 05 UL SIEMENS Ultrasound SC2000
0119 06 UL SIEMENS Ultrasound SC2000
0119 07 UL SIEMENS Ultrasound SC2000
0119 08 UL SIEMENS Ultrasound SC2000
0119 09 SS SIEMENS Ultrasound SC2000
0119 10 SH SIEMENS Ultrasound SC2000
0119 11 UN SIEMENS Ultrasound SC2000
0119 12 UN SIEMENS Ultrasound SC2000
0119 13 IS SIEMENS Ultrasound SC2000
0119 21 SH SIEMENS Ultrasound SC2000
0129 00 SQ SIEMENS Ultrasound SC2000
0129 02 UI SIEMENS Ultrasound SC2000
0129 03 UN SIEMENS Ultrasound SC2000
0129 04 UN SIEMENS Ultrasound SC2000
0129 05 UN SIEMENS Ultrasound SC2000
0129 06 SQ SIEMENS Ultrasound SC2000
0129 07 UI SIEMENS Ultrasound SC2000
0129 08 OB SIEMENS Ultrasound SC2000
0129 09 SQ SIEMENS Ultrasound SC2000
0129 10 OB SIEMENS Ultrasound SC2000
0129 11 SQ SIEMENS Ultrasound SC2000
0129 12 UI SIEMENS Ultrasound SC2000
0129 20 SQ SIEMENS Ultrasound SC2000
0129 21 OB SIEMENS Ultrasound SC2000
0129 22 OB SIEMENS Ultrasound SC2000
0129 29 OB SIEMENS Ultrasound SC2000
0129 30 CS SIEMENS Ultrasound SC2000
0139 01 SL SIEMENS Ultrasound SC2000
0149 01 FD SIEMENS Ultrasound SC2000
0149 02 FD SIEMENS Ultrasound SC2000
0149 03 FD SIEMENS Ultrasound SC2000
7FD1 01 OB SIEMENS Ultrasound SC2000
7FD1 09 UI SIEMENS Ultrasound SC2000
7FD1 10 OB SIEMENS Ultrasound SC2000
7FD1 11 OB SIEMENS Ultrasound SC2000
7FD1 01 OB SIEMENS SYNGO ULTRA-SOUND TOYON DATA STREAMING
7FD1 09 UI SIEMENS SYNGO ULTRA-SOUND TOYON DATA STREAMING
7FD1 10 OB SIEMENS SYNGO ULTRA-SOUND TOYON DATA STREAMING
7FD1 11 OB SIEMENS SYNGO ULTRA-SOUND TOYON DATA STREAMING
`;

interface SafeAttribute {
  group: number;
  byte: number;
  creator: string;
}

const SAFE: SafeAttribute[] = SAFE_PRIVATE_TABLE.trim()
  .split('\n')
  .map((line) => {
    const [group, byte, , ...creator] = line.split(' ');
    return { group: Number.parseInt(group!, 16), byte: Number.parseInt(byte!, 16), creator: creator.join(' ') };
  });

/** Is private element (group, element) under `creator` on the safe list? */
export function isSafePrivate(group: number, element: number, creator: string | undefined): boolean {
  if (creator === undefined) return false;
  const byte = element & 0xff;
  const wanted = creator.trim();
  return SAFE.some((s) => s.group === group && s.byte === byte && s.creator === wanted);
}
