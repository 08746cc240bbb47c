/**
 * Synthetic 实名制 records for the demo district, generated deterministically (same input, same people)
 * so that seeding twice inserts nothing new. ID numbers carry a valid GB 11643 check digit.
 */
import { idNumberCheckDigit } from '../../domain/id-number';

export interface DemoPerson {
  idNumber: string;
  name: string;
  gender: '1' | '2';
  birthDate: string;
  status: 'active' | 'retired';
  unitCode: string | null;
  bianzhiType: string | null;
  post: string | null;
  enteredOn: string | null;
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红建国志文';
/** 行政区划代码 of the demo district, the first six digits of every demo ID number (named and generated) */
export const AREA_CODE = '370612';

/** mulberry32: a tiny seeded PRNG (uniform in [0, 1)); also used by generator.ts. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

const POSTS: Record<string, readonly string[]> = {
  XZ: ['一级科员', '四级主任科员', '三级主任科员', '二级主任科员', '一级主任科员'],
  GQ: ['技术工三级', '技术工四级'],
  SY: ['专业技术十二级', '专业技术十级', '专业技术八级', '管理九级', '工勤技能四级'],
};

/**
 * `units` lists (unitCode, bianzhiType, actual); one active person per counted slot, plus `retired`
 * retirees with no unit.
 */
export function demoPersons(
  units: ReadonlyArray<{ unitCode: string; bianzhiType: string; actual: number }>,
  retired = 2,
): DemoPerson[] {
  const next = mulberry32(20261124);
  const pick = <T>(items: readonly T[] | string): T => items[Math.floor(next() * items.length)] as T;
  const persons: DemoPerson[] = [];
  let sequence = 0;

  const person = (slot: { unitCode: string; bianzhiType: string } | null): DemoPerson => {
    sequence += 1;
    const retiree = slot === null;
    const year = retiree ? 1955 + Math.floor(next() * 8) : 1966 + Math.floor(next() * 34);
    const month = 1 + Math.floor(next() * 12);
    const day = 1 + Math.floor(next() * 28);
    const gender: '1' | '2' = next() < 0.5 ? '1' : '2';
    // The 17th digit (sequence code's last) is odd for men, even for women.
    const seq3 = (sequence * 2 + (gender === '1' ? 1 : 0)) % 1000;
    const first17 = `${AREA_CODE}${year}${pad(month)}${pad(day)}${pad(seq3, 3)}`;
    const given = next() < 0.5 ? pick<string>(GIVEN) : pick<string>(GIVEN) + pick<string>(GIVEN);
    const enteredYear = Math.min(2025, year + 22 + Math.floor(next() * 10));
    return {
      idNumber: first17 + idNumberCheckDigit(first17),
      name: pick<string>(SURNAMES) + given,
      gender,
      birthDate: `${year}-${pad(month)}-${pad(day)}`,
      status: retiree ? 'retired' : 'active',
      unitCode: slot?.unitCode ?? null,
      bianzhiType: slot?.bianzhiType ?? null,
      post: slot ? pick(POSTS[slot.bianzhiType] ?? POSTS.SY!) : null,
      enteredOn: slot ? `${enteredYear}-${pad(1 + Math.floor(next() * 12))}-01` : null,
    };
  };

  for (const slot of units) {
    for (let i = 0; i < slot.actual; i++) persons.push(person(slot));
  }
  for (let i = 0; i < retired; i++) persons.push(person(null));
  return persons;
}
