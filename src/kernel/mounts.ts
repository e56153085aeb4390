/**
 * Every mount point of one filesystem type in /proc/self/mountinfo text, in mountinfo order.
 * A line is `id parent major:minor root mountpoint options [optional...] - fstype source super`;
 * the optional fields vary in number, so the type is found after the ` - ` separator.
 */
export function mountPointsOf(mountinfo: string, fsType: string): string[] {
  const points: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    if (line.slice(sep + 3).split(' ')[0] !== fsType) continue;
    const mountPoint = line.slice(0, sep).split(' ')[4];
    if (mountPoint) points.push(mountPoint.replace(/\\040/gu, ' '));
  }
  return points;
}
